/**
 * What a login driver needs from an IdP's HTML page, read with a real HTML parser (htmlparser2):
 * the title, the forms with their fields and submit buttons, the page's messages (errors shown to
 * the user) and Keycloak's `data-page-id`. No regular expression ever runs over the HTML itself.
 */
import type { Element } from 'domhandler';
import { findAll, getAttributeValue, textContent } from 'domutils';
import { parseDocument } from 'htmlparser2';

/** Pages above this size are not parsed (a hostile target could send an endless page). */
export const MAX_PAGE_BYTES = 2 * 1024 * 1024;

/** One input of a form (`select` and `textarea` included). */
export interface FormField {
  name: string;
  /** Lower-cased type; `text` when absent. `select`/`textarea` for those elements. */
  type: string;
  value: string;
  id: string | undefined;
  autocomplete: string | undefined;
  /** Checkboxes and radios: whether a browser would submit it. */
  checked: boolean;
}

/** A submit control: `<button>` (type submit or none) or `<input type=submit|image>`. */
export interface SubmitButton {
  name: string | undefined;
  value: string;
  id: string | undefined;
  /** The visible label (button text or input value), whitespace collapsed. */
  label: string;
}

/** A form as a browser would submit it. */
export interface HtmlForm {
  id: string | undefined;
  /** Absolute URL (the page URL when the form has no action), `&amp;` already decoded by the parser. */
  action: URL;
  method: 'GET' | 'POST';
  fields: FormField[];
  submits: SubmitButton[];
}

/** A parsed page. */
export interface HtmlPage {
  title: string;
  /** `<body data-page-id>` (Keycloak's keycloak.v2 theme names its template there), if any. */
  pageId: string | undefined;
  forms: HtmlForm[];
  /** Texts of elements that show messages: role=alert, or an id/class naming error, alert, feedback, message. */
  messages: string[];
  /** The body's visible text (scripts and styles left out), whitespace collapsed, first 1000 chars. */
  text: string;
}

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();
const attr = (el: Element, name: string): string | undefined => getAttributeValue(el, name);
const MESSAGE_HINT = /error|alert|feedback|message|instruction/i;

function isSubmit(el: Element): boolean {
  if (el.name === 'button') return (attr(el, 'type') ?? 'submit').toLowerCase() === 'submit';
  if (el.name === 'input') return ['submit', 'image'].includes((attr(el, 'type') ?? '').toLowerCase());
  return false;
}

function readForm(form: Element, base: URL): HtmlForm {
  const fields: FormField[] = [];
  const submits: SubmitButton[] = [];
  for (const el of findAll((e) => ['input', 'select', 'textarea', 'button'].includes(e.name), form.children)) {
    if (isSubmit(el)) {
      const value = el.name === 'button' ? (attr(el, 'value') ?? '') : (attr(el, 'value') ?? 'Submit');
      const label = collapse(el.name === 'button' ? textContent(el) : value);
      submits.push({ name: attr(el, 'name'), value, id: attr(el, 'id'), label });
      continue;
    }
    const name = attr(el, 'name');
    if (name === undefined || name === '' || el.name === 'button' || attr(el, 'disabled') !== undefined) continue;
    let type = el.name === 'input' ? (attr(el, 'type') ?? 'text').toLowerCase() : el.name;
    let value = attr(el, 'value') ?? '';
    if (el.name === 'textarea') value = textContent(el);
    if (el.name === 'select') {
      const options = findAll((e) => e.name === 'option', el.children);
      const chosen = options.find((o) => attr(o, 'selected') !== undefined) ?? options[0];
      value = chosen ? (attr(chosen, 'value') ?? collapse(textContent(chosen))) : '';
      type = 'select';
    }
    if (['reset', 'button', 'file'].includes(type)) continue;
    fields.push({ name, type, value, id: attr(el, 'id'), autocomplete: attr(el, 'autocomplete')?.toLowerCase(), checked: attr(el, 'checked') !== undefined });
  }
  const rawAction = attr(form, 'action');
  let action = base;
  if (rawAction !== undefined && rawAction.trim() !== '' && URL.canParse(rawAction.trim(), base.href)) action = new URL(rawAction.trim(), base);
  const method = (attr(form, 'method') ?? 'get').toLowerCase() === 'post' ? 'POST' : 'GET';
  return { id: attr(form, 'id'), action, method, fields, submits };
}

/**
 * Parses a page. The caller checks {@link MAX_PAGE_BYTES} first (the body is already capped by
 * the HTTP layer's deadline; the parse cost is what this cap bounds).
 *
 * @example
 * const page = parsePage(res.body, new URL('http://127.0.0.1:8080/login'));
 * page.forms[0]?.fields.map((f) => f.name); // ['username', 'password']
 */
export function parsePage(html: string, url: URL): HtmlPage {
  const doc = parseDocument(html, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  const titleEl = findAll((e) => e.name === 'title', doc.children)[0];
  const body = findAll((e) => e.name === 'body', doc.children)[0];
  const forms = findAll((e) => e.name === 'form', doc.children).map((f) => readForm(f, url));
  const messages: string[] = [];
  for (const el of findAll((e) => e.name !== 'form' && e.name !== 'script' && e.name !== 'style', doc.children)) {
    const hinted =
      attr(el, 'role') === 'alert' || MESSAGE_HINT.test(attr(el, 'id') ?? '') || MESSAGE_HINT.test(attr(el, 'class') ?? '');
    if (!hinted) continue;
    const text = collapse(textContent(el));
    // Nested message containers repeat their children's text: keep each text once.
    if (text !== '' && !messages.includes(text.slice(0, 200))) messages.push(text.slice(0, 200));
  }
  return {
    title: titleEl ? collapse(textContent(titleEl)) : '',
    pageId: body ? attr(body, 'data-page-id') : undefined,
    forms,
    messages,
    text: body ? visibleText(body).slice(0, 1000) : '',
  };
}

function visibleText(el: Element): string {
  const parts: string[] = [];
  const walk = (node: Element): void => {
    for (const child of node.children) {
      if (child.type === 'text') parts.push(child.data);
      else if ((child.type === 'tag') && child.name !== 'script' && child.name !== 'style') walk(child);
    }
  };
  walk(el);
  return collapse(parts.join(' '));
}

/**
 * `title "…"; forms: #id[a, b] form[c]` — names only, never values, for `login_unsupported` evidence.
 *
 * @example
 * describePage(parsePage('<title>Hi</title><form id="f"><input name="q" value="secret"></form>', url));
 * // 'title "Hi"; forms: #f[q]'
 */
export function describePage(page: HtmlPage): string {
  const forms = page.forms.map((f) => `${f.id ? `#${f.id}` : 'form'}[${f.fields.map((x) => x.name).join(', ')}]`);
  return `title ${JSON.stringify(page.title.slice(0, 60))}; forms: ${forms.length > 0 ? forms.join(' ') : 'none'}`;
}
