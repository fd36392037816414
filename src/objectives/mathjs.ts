/** mathjs's parser and derivative, handed to the expression compiler (see mathjs-slot.ts). */
import { create, derivativeDependencies, parseDependencies } from 'mathjs';
import { provideMathjs } from './mathjs-slot.js';

provideMathjs(create({ parseDependencies: parseDependencies!, derivativeDependencies: derivativeDependencies! }));
