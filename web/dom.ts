/** A small element builder for the page's forms. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, children: (Node | string)[] = []): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

/** An element named by another element's text (aria-labelledby), e.g. a select by its fieldset's legend. */
export function labelledBy<T extends HTMLElement>(element: T, id: string): T {
  element.setAttribute('aria-labelledby', id);
  return element;
}
