import { html, Html } from './html';

/**
 * Slots that `sendPage` fills for the response it sends (see brand.ts): the pages are rendered
 * before anyone looks at the settings or the request. HTML comments, so a page rendered outside
 * `sendPage` (a unit test) is still valid HTML.
 */
export const SLOTS = { productName: '<!--slot:product-name-->', header: '<!--slot:brand-header-->', requestId: '<!--slot:request-id-->' } as const;

/** The page frame shared by sign-in, consent, errors and the admin area. */
export function layout(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${title} · ${new Html(SLOTS.productName)}</title>
<link rel="stylesheet" href="/assets/portcullis.css">
</head>
<body>
<header class="brand">${new Html(SLOTS.header)}</header>
<main>
${body}
</main>
</body>
</html>`.value;
}

/**
 * Plain, readable on a phone (390 px and up: nothing wider than the screen, no word cut in two),
 * keyboard-usable (visible focus), no scripts needed. `--primary` comes from the settings.
 */
export const STYLESHEET = `
:root{--primary:#24408e;--danger:#a4262c}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1d2330;background:#f4f5f7}
header.brand{max-width:34rem;margin:1.25rem auto 0;padding:0 1.5rem;display:flex;align-items:center;gap:.6rem;font-weight:700;font-size:1.1rem;color:var(--primary)}
header.brand img{max-height:2rem;max-width:10rem}
body:has(main.wide) header.brand{max-width:64rem}
main{max-width:34rem;margin:.75rem auto 2rem;padding:1.5rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
main.wide{max-width:64rem}
h1{font-size:1.4rem;margin:0 0 1rem}
h2{font-size:1.15rem;margin:1.75rem 0 .75rem}
a{color:var(--primary)}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input,textarea,select{width:100%;padding:.55rem;border:1px solid #9aa3b2;border-radius:4px;font:inherit;background:#fff}
textarea{min-height:5rem}
[aria-invalid=true],fieldset.invalid{border:2px solid var(--danger);background:#fff7f7}
button,.button{display:inline-block;padding:.55rem 1.1rem;border:1px solid var(--primary);border-radius:4px;background:var(--primary);color:#fff;font:inherit;cursor:pointer;text-decoration:none;white-space:nowrap}
button.secondary,.button.secondary{background:#fff;color:var(--primary)}
button.danger,.button.danger{background:var(--danger);border-color:var(--danger);color:#fff}
:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
.actions{display:flex;gap:.75rem;margin-top:1.25rem;flex-wrap:wrap;align-items:center}
.actions form{margin:0}
.error{color:var(--danger);font-weight:600;white-space:pre-line}
.notice{padding:.75rem;border-radius:4px;background:#fff4ce;border:1px solid #e0c060}
.done{padding:.75rem;border-radius:4px;background:#e7f6ea;border:1px solid #7cbf8a}
.banner{margin:0 0 1rem;padding:.75rem 1rem;border-radius:4px;background:#fdecec;border:1px solid var(--danger);color:#6e1418}
.muted{color:#5b6475}
ul.scopes{padding-left:1.2rem}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.45rem;border-bottom:1px solid #e3e6ea;vertical-align:top}
code{background:#eef0f3;padding:.1rem .3rem;border-radius:3px;word-break:break-all}
@media (max-width:40rem){
  header.brand{margin-top:.75rem;padding:0 1rem}
  main{margin:.5rem 0 1rem;padding:1rem;border-radius:0}
}
`;
