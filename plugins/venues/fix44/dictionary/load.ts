/**
 * Loads a QuickFIX-format XML data dictionary (the ones jspurefix ships as FIX44.xml and
 * FIX50SP2.xml) into the flattened `Dictionary` the codec uses. Components are expanded into
 * the messages and groups that use them; a group's delimiter is its first field. Runs once at
 * start-up; the XML reader only understands the subset these files use.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type Dictionary, type FieldDef, type GroupDef, type MessageDef, ValueKind, msgTypeKey } from "./types.ts";

interface XmlNode {
  readonly tag: string;
  readonly attrs: Record<string, string>;
  readonly children: XmlNode[];
}

/** Result of loading a dictionary: the dictionary or a reason it could not be built. */
export type LoadedDictionary = { ok: true; dict: Dictionary } | { ok: false; code: "FIX_DICT_INVALID"; reason: string };

const KINDS: Record<string, ValueKind> = {
  INT: ValueKind.Int, LENGTH: ValueKind.Int, SEQNUM: ValueKind.Int, NUMINGROUP: ValueKind.Int,
  DAYOFMONTH: ValueKind.Int, TAGNUM: ValueKind.Int,
  PRICE: ValueKind.Decimal, QTY: ValueKind.Decimal, AMT: ValueKind.Decimal, FLOAT: ValueKind.Decimal,
  PRICEOFFSET: ValueKind.Decimal, PERCENTAGE: ValueKind.Decimal, QUANTITY: ValueKind.Decimal,
  CHAR: ValueKind.Char, BOOLEAN: ValueKind.Bool, DATA: ValueKind.Data, XMLDATA: ValueKind.Data,
};

/** The command that installs the FIX venue's own dependencies (jspurefix) when they are missing. */
export const FIX_DEPS_INSTALL = "npm run setup (or: npm ci --prefix plugins/venues/fix44)";

/** Returns the folder of the jspurefix package the FIX venue uses (plugins/venues/fix44/node_modules), resolved from `from`. */
export function jspurefixDir(from: string = import.meta.url): string {
  try {
    return dirname(createRequire(from).resolve("jspurefix/package.json"));
  } catch {
    throw new Error(`FIX_DEPS_MISSING: the FIX venue's dictionaries come from the jspurefix package, which is not installed; run ${FIX_DEPS_INSTALL}`);
  }
}

/** Returns the path of a dictionary file shipped by the jspurefix package, e.g. "FIX44.xml". */
export function jspurefixDictionaryPath(file: string): string {
  return join(jspurefixDir(), "data", file);
}

const cache = new Map<string, Dictionary>();

/** Loads (once per process) one of the dictionaries jspurefix ships; throws at start-up if it is missing. */
export function standardDictionary(version: "FIX44" | "FIX50SP2"): Dictionary {
  let dict = cache.get(version);
  if (dict === undefined) {
    const loaded = parseDictionary(readFileSync(jspurefixDictionaryPath(`${version}.xml`), "utf8"));
    if (!loaded.ok) throw new Error(`${loaded.code}: file=${version}.xml ${loaded.reason}`);
    dict = loaded.dict;
    cache.set(version, dict);
  }
  return dict;
}

/** Parses QuickFIX XML dictionary text into a flattened dictionary. */
export function parseDictionary(xml: string): LoadedDictionary {
  const root = parseXml(xml);
  if (root === undefined || root.tag !== "fix") return fail("root element is not <fix>");
  const major = root.attrs.major, minor = root.attrs.minor;
  const isFix5 = major === "5";
  const beginString = isFix5 ? "FIXT.1.1" : `${root.attrs.type ?? "FIX"}.${major}.${minor}`;

  const fieldsNode = child(root, "fields");
  if (fieldsNode === undefined) return fail("no <fields> section");
  const fields: (FieldDef | undefined)[] = [];
  const fieldsByName = new Map<string, FieldDef>();
  let maxTag = 0;
  for (const f of fieldsNode.children) {
    const tag = Number(f.attrs.number);
    const name = f.attrs.name ?? "";
    const type = (f.attrs.type ?? "STRING").toUpperCase();
    if (!Number.isInteger(tag) || tag <= 0 || name === "") return fail(`bad field number=${f.attrs.number} name=${name}`);
    const def: FieldDef = { tag, name, type, kind: KINDS[type] ?? ValueKind.Text };
    fields[tag] = def;
    fieldsByName.set(name, def);
    if (tag > maxTag) maxTag = tag;
  }
  const kinds = new Uint8Array(maxTag + 1);
  for (const f of fields) if (f !== undefined) kinds[f.tag] = f.kind;

  const components = new Map<string, XmlNode>();
  for (const c of child(root, "components")?.children ?? []) components.set(c.attrs.name ?? "", c);

  const problems: string[] = [];
  const tagOf = (name: string): number => {
    const def = fieldsByName.get(name);
    if (def === undefined) problems.push(`unknown field name=${name}`);
    return def?.tag ?? 0;
  };

  // Collects the tags, groups and required tags of a list of children, expanding components.
  const collect = (nodes: XmlNode[], into: { fields: Set<number>; groups: Map<number, GroupDef>; required: number[] }, required: boolean, depth: number): void => {
    if (depth > 40) { problems.push("component nesting too deep"); return; }
    for (const n of nodes) {
      const req = required && n.attrs.required === "Y";
      if (n.tag === "field") {
        const tag = tagOf(n.attrs.name ?? "");
        into.fields.add(tag);
        if (req) into.required.push(tag);
      } else if (n.tag === "group") {
        const group = buildGroup(n, depth + 1);
        into.fields.add(group.countTag);
        into.groups.set(group.countTag, group);
        if (req) into.required.push(group.countTag);
      } else if (n.tag === "component") {
        const comp = components.get(n.attrs.name ?? "");
        if (comp === undefined) { problems.push(`unknown component name=${n.attrs.name}`); continue; }
        collect(comp.children, into, req, depth + 1);
      }
    }
  };
  const firstTag = (nodes: XmlNode[], depth: number): number => {
    const n = nodes[0];
    if (n === undefined || depth > 40) return 0;
    if (n.tag === "field" || n.tag === "group") return tagOf(n.attrs.name ?? "");
    return firstTag(components.get(n.attrs.name ?? "")?.children ?? [], depth + 1);
  };
  const buildGroup = (n: XmlNode, depth: number): GroupDef => {
    const into = { fields: new Set<number>(), groups: new Map<number, GroupDef>(), required: [] as number[] };
    collect(n.children, into, true, depth);
    return { countTag: tagOf(n.attrs.name ?? ""), name: n.attrs.name ?? "", delimiter: firstTag(n.children, depth), members: into.fields, groups: into.groups, required: into.required };
  };
  const buildMessage = (n: XmlNode, msgType: string, name: string, admin: boolean): MessageDef => {
    const into = { fields: new Set<number>(), groups: new Map<number, GroupDef>(), required: [] as number[] };
    collect(n.children, into, true, 0);
    return { msgType, name, admin, fields: into.fields, groups: into.groups, required: into.required };
  };

  const headerNode = child(root, "header");
  if (headerNode === undefined) return fail("no <header> section");
  const header = buildMessage(headerNode, "", "Header", true);
  const trailerTags = buildMessage(child(root, "trailer") ?? { tag: "trailer", attrs: {}, children: [] }, "", "Trailer", true).fields;
  const messages = new Map<string, MessageDef>();
  const messagesByKey = new Map<number, MessageDef>();
  for (const m of child(root, "messages")?.children ?? []) {
    const msgType = m.attrs.msgtype ?? "";
    const def = buildMessage(m, msgType, m.attrs.name ?? "", m.attrs.msgcat === "admin");
    messages.set(msgType, def);
    messagesByKey.set(msgTypeKey(msgType), def);
  }
  if (problems.length > 0) return fail(problems.slice(0, 5).join("; "));
  return { ok: true, dict: { beginString, fields, fieldsByName, kinds, header, trailerTags, messages, messagesByKey, maxTag } };
}

function fail(reason: string): LoadedDictionary {
  return { ok: false, code: "FIX_DICT_INVALID", reason };
}

function child(node: XmlNode, tag: string): XmlNode | undefined {
  return node.children.find((c) => c.tag === tag);
}

const TAG = /<(\/?)([A-Za-z_][\w.-]*)([^>]*?)(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g;
const ATTR = /([\w.-]+)\s*=\s*(?:'([^']*)'|"([^"]*)")/g;

function parseXml(xml: string): XmlNode | undefined {
  const top: XmlNode = { tag: "#root", attrs: {}, children: [] };
  const stack: XmlNode[] = [top];
  for (const m of xml.matchAll(TAG)) {
    if (m[2] === undefined) continue;
    if (m[1] === "/") {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of (m[3] ?? "").matchAll(ATTR)) attrs[a[1] as string] = a[2] ?? a[3] ?? "";
    const node: XmlNode = { tag: m[2], attrs, children: [] };
    (stack[stack.length - 1] as XmlNode).children.push(node);
    if (m[4] !== "/") stack.push(node);
  }
  return top.children[0];
}
