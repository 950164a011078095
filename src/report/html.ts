const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

export interface ReportSection {
  heading: string;
  svgs?: string[];
  table?: [string, string][];
  text?: string;
}

/** A self-contained HTML page (inline SVG, no scripts, no network). */
export function htmlPage(title: string, sections: ReportSection[]): string {
  const body = sections
    .map((s) => {
      const table = s.table
        ? `<table>` +
          `${s.table.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("")}</table>`
        : "";
      const text = s.text ? `<p>${escapeHtml(s.text)}</p>` : "";
      return (
        `<section><h2>${escapeHtml(s.heading)}</h2>${text}${table}<div class="charts">` +
        `${(s.svgs ?? []).join("")}</div></section>`
      );
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse}th,td{padding:.2em .8em;text-align:left;border-bottom:1px solid #eee}
th{font-weight:600}.charts{display:flex;flex-wrap:wrap;gap:1em}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}
