const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A filed notice as a printable zh-CN HTML document (the caseworkers' and the petitioner's print view). */
export function noticeHtml(n: { title: string; body: string }): string {
  const [title, ...lines] = n.body.split('\n');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escape(n.title)}</title>
<style>body{font-family:serif;max-width:42em;margin:3em auto;line-height:1.8}h1{text-align:center;font-size:1.6em}@media print{body{margin:0}}</style></head>
<body><h1>${escape(title ?? n.title)}</h1>${lines.map((l) => `<p>${escape(l)}</p>`).join('\n')}</body></html>`;
}
