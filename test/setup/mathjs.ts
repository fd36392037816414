// The library and the page load mathjs with src/core.ts; tests that import modules one by one load it here.
// The command line's own lazy load is tested through the built CLI in test/bin.test.ts.
import '../../src/objectives/mathjs';
