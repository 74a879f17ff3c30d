import { html, type Html } from './html';

/** The page frame shared by sign-in, consent, errors and the admin area. */
export function layout(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${title} · Portcullis</title>
<link rel="stylesheet" href="/assets/portcullis.css">
</head>
<body>
<main>
${body}
</main>
</body>
</html>`.value;
}

/** Plain, readable on a phone, keyboard-usable (visible focus), no scripts needed. */
export const STYLESHEET = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1d2330;background:#f4f5f7}
main{max-width:34rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
main.wide{max-width:60rem}
h1{font-size:1.4rem;margin:0 0 1rem}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input,textarea,select{width:100%;padding:.55rem;border:1px solid #9aa3b2;border-radius:4px;font:inherit}
textarea{min-height:5rem}
button,.button{display:inline-block;padding:.55rem 1.1rem;border:1px solid #24408e;border-radius:4px;background:#24408e;color:#fff;font:inherit;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#fff;color:#24408e}
button.danger{background:#a4262c;border-color:#a4262c}
:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
.actions{display:flex;gap:.75rem;margin-top:1.25rem;flex-wrap:wrap}
.error{color:#a4262c;font-weight:600}
.notice{padding:.75rem;border-radius:4px;background:#fff4ce;border:1px solid #e0c060}
.muted{color:#5b6475}
ul.scopes{padding-left:1.2rem}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.45rem;border-bottom:1px solid #e3e6ea;vertical-align:top}
code{background:#eef0f3;padding:.1rem .3rem;border-radius:3px;word-break:break-all}
`;
