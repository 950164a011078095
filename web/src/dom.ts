/** A row of a definition list: term, shown value, and optionally the exact value the browser test reads. */
export type DefinitionRow = [term: string, value: string, exact?: string];

/** Replaces the children of a <dl> with one dt/dd pair per row (dd carries data-name and data-exact). */
export function fillDefinitionList(dl: HTMLElement, rows: DefinitionRow[]): void {
  dl.replaceChildren(
    ...rows.flatMap(([term, value, exact]) => {
      const dt = document.createElement("dt");
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.textContent = value;
      dd.dataset.name = term;
      if (exact) dd.dataset.exact = exact;
      return [dt, dd];
    }),
  );
}
