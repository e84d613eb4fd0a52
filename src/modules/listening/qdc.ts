/**
 * REFI-QDA codebook exchange (.qdc, namespace urn:QDA-XML:codebook:1.0). Export writes nested <Code> elements;
 * import reads them with a small strict XML reader that refuses malformed documents with the reason and line.
 */

export const QDC_NS = 'urn:QDA-XML:codebook:1.0';

export interface QdcCode {
  guid: string;
  name: string;
  description?: string | null;
  children: QdcCode[];
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

export function exportQdc(codes: QdcCode[], origin = 'Taskforce Hub'): string {
  const lines = ['<?xml version="1.0" encoding="utf-8"?>', `<CodeBook xmlns="${QDC_NS}" origin="${escapeXml(origin)}">`, '  <Codes>'];
  const write = (c: QdcCode, depth: number) => {
    const pad = '  '.repeat(depth);
    const open = `${pad}<Code guid="${escapeXml(c.guid)}" name="${escapeXml(c.name)}" isCodable="true"`;
    if (!c.description && c.children.length === 0) {
      lines.push(open + '/>');
      return;
    }
    lines.push(open + '>');
    if (c.description) lines.push(`${pad}  <Description>${escapeXml(c.description)}</Description>`);
    for (const child of c.children) write(child, depth + 1);
    lines.push(`${pad}</Code>`);
  };
  for (const c of codes) write(c, 2);
  lines.push('  </Codes>', '</CodeBook>');
  return lines.join('\n') + '\n';
}

export class QdcError extends Error {}

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
  line: number;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string, line: number): string {
  return s.replace(/&([^;&\s]*);?/g, (m, name: string) => {
    if (!m.endsWith(';')) throw new QdcError(`line ${line}: a bare "&" must be written &amp;`);
    if (name in ENTITIES) return ENTITIES[name];
    const num = /^#x([0-9a-fA-F]+)$/.exec(name) ?? /^#([0-9]+)$/.exec(name);
    if (num) {
      const cp = parseInt(num[1], name.startsWith('#x') ? 16 : 10);
      if (cp > 0x10ffff || cp === 0) throw new QdcError(`line ${line}: character reference &${name}; is not a valid character`);
      return String.fromCodePoint(cp);
    }
    throw new QdcError(`line ${line}: unknown entity &${name};`);
  });
}

const NAME = /^[A-Za-z_][\w.:-]*/;

/** Parses an XML document into elements; throws QdcError naming the problem and its line. */
export function parseXml(src: string): XmlElement {
  let i = 0;
  const lineAt = (pos: number) => src.slice(0, pos).split('\n').length;
  const fail = (msg: string, pos = i): never => {
    throw new QdcError(`line ${lineAt(pos)}: ${msg}`);
  };
  if (src.charCodeAt(0) === 0xfeff) i = 1;
  const skipMisc = () => {
    for (;;) {
      while (i < src.length && /\s/.test(src[i])) i++;
      if (src.startsWith('<?', i)) {
        const end = src.indexOf('?>', i);
        if (end < 0) fail('a processing instruction is never closed');
        i = end + 2;
      } else if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i);
        if (end < 0) fail('a comment is never closed');
        i = end + 3;
      } else if (src.startsWith('<!DOCTYPE', i)) {
        fail('DOCTYPE declarations are not accepted');
      } else return;
    }
  };
  const parseElement = (): XmlElement => {
    const start = i;
    if (src[i] !== '<') fail('expected an element');
    i++;
    const m = NAME.exec(src.slice(i));
    if (!m) fail('expected an element name after "<"');
    const name = m![0];
    i += name.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      const ws = i;
      while (i < src.length && /\s/.test(src[i])) i++;
      if (i >= src.length) fail(`the tag <${name}> is never closed`, start);
      if (src[i] === '/' || src[i] === '>') break;
      if (ws === i) fail(`attributes of <${name}> must be separated by spaces`);
      const am = NAME.exec(src.slice(i));
      if (!am) fail(`unexpected "${src[i]}" in the tag <${name}>`);
      const an = am![0];
      i += an.length;
      while (/\s/.test(src[i] ?? '')) i++;
      if (src[i] !== '=') fail(`attribute ${an} of <${name}> has no value`);
      i++;
      while (/\s/.test(src[i] ?? '')) i++;
      const q = src[i];
      if (q !== '"' && q !== "'") fail(`the value of attribute ${an} must be in quotes`);
      const end = src.indexOf(q, i + 1);
      if (end < 0) fail(`the value of attribute ${an} is never closed`);
      const raw = src.slice(i + 1, end);
      if (raw.includes('<')) fail(`the value of attribute ${an} contains "<"`);
      if (an in attrs) fail(`attribute ${an} appears twice in <${name}>`);
      attrs[an] = decode(raw, lineAt(i));
      i = end + 1;
    }
    const el: XmlElement = { name, attrs, children: [], text: '', line: lineAt(start) };
    if (src[i] === '/') {
      if (src[i + 1] !== '>') fail(`expected "/>" to end <${name}>`);
      i += 2;
      return el;
    }
    i++;
    for (;;) {
      if (i >= src.length) fail(`the element <${name}> is never closed`, start);
      if (src.startsWith('</', i)) {
        const cm = NAME.exec(src.slice(i + 2));
        const closing = cm ? cm[0] : '';
        if (closing !== name) fail(`</${closing}> does not match <${name}> opened on line ${el.line}`);
        i += 2 + closing.length;
        while (/\s/.test(src[i] ?? '')) i++;
        if (src[i] !== '>') fail(`expected ">" to end </${name}>`);
        i++;
        return el;
      }
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i);
        if (end < 0) fail('a comment is never closed');
        i = end + 3;
      } else if (src.startsWith('<![CDATA[', i)) {
        const end = src.indexOf(']]>', i);
        if (end < 0) fail('a CDATA section is never closed');
        el.text += src.slice(i + 9, end);
        i = end + 3;
      } else if (src[i] === '<') {
        el.children.push(parseElement());
      } else {
        const next = src.indexOf('<', i);
        const raw = src.slice(i, next < 0 ? src.length : next);
        el.text += decode(raw, lineAt(i));
        i = next < 0 ? src.length : next;
      }
    }
  };
  skipMisc();
  if (i >= src.length) fail('the document is empty');
  const root = parseElement();
  skipMisc();
  if (i < src.length) fail('there is content after the root element');
  return root;
}

const local = (name: string) => name.replace(/^.*:/, '');

/** Reads a .qdc document into a code tree; refuses anything that is not a REFI-QDA codebook. */
export function importQdc(xml: string): { origin: string | null; codes: QdcCode[] } {
  if (!xml.trim()) throw new QdcError('the document is empty');
  const root = parseXml(xml);
  if (local(root.name) !== 'CodeBook') throw new QdcError(`line ${root.line}: the root element must be <CodeBook>, not <${root.name}>`);
  const ns = root.attrs.xmlns ?? Object.entries(root.attrs).find(([k]) => k.startsWith('xmlns:'))?.[1];
  if (ns !== QDC_NS) throw new QdcError(`line ${root.line}: <CodeBook> must be in the namespace ${QDC_NS}`);
  const codesEl = root.children.find((c) => local(c.name) === 'Codes');
  if (!codesEl) throw new QdcError(`line ${root.line}: <CodeBook> has no <Codes> element`);
  const seen = new Set<string>();
  const read = (el: XmlElement): QdcCode => {
    const guid = el.attrs.guid?.trim();
    const name = el.attrs.name?.trim();
    if (!guid) throw new QdcError(`line ${el.line}: <Code> has no guid attribute`);
    if (!name) throw new QdcError(`line ${el.line}: <Code> has no name attribute`);
    if (name.length > 200) throw new QdcError(`line ${el.line}: the code name is longer than 200 characters`);
    if (seen.has(guid.toLowerCase())) throw new QdcError(`line ${el.line}: the guid ${guid} is used twice`);
    seen.add(guid.toLowerCase());
    const desc = el.children.find((c) => local(c.name) === 'Description');
    return { guid, name, description: desc?.text.trim() || null, children: el.children.filter((c) => local(c.name) === 'Code').map(read) };
  };
  return { origin: root.attrs.origin ?? null, codes: codesEl.children.filter((c) => local(c.name) === 'Code').map(read) };
}
