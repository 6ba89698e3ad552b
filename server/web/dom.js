// Small pieces every page builds with: elements made safely (text is never parsed as
// HTML), badges, notices, and values written the way a runbook writes them.
// h("a", {href: "/x", class: "y"}, "text", child…): an element; strings become text nodes,
// so nothing the server or a runbook says is ever parsed as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function badge(text, kind = text) {
  return h("span", { class: `badge ${kind}` }, text);
}

export function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

export function ago(iso) {
  const s = Math.max(0, Math.round((Date.now() - new Date(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

// A value as a runbook reads it: strings quoted, records {a: 1}, lists [1, 2].
export function show(v) {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  if (typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${k}: ${show(x)}`).join(", ")}}`;
  return String(v);
}

// Probe results arrive as the trace writes them: durations, percents and times as text.
export function showResult(v) {
  const unquoted = /^-?(\d+(\.\d+)?(ms|s|m|h|d))+$|^-?\d+(\.\d+)?%$|^\d{4}-\d\d-\d\dT[\d:.]+Z$/;
  return typeof v === "string" && unquoted.test(v) ? v : show(v);
}

// A value too long to read in a line (a fleet's device list) folds: its start, then all of
// it on demand.
export function long(text) {
  if (text.length <= 240) return text;
  return h("details", { class: "long" }, h("summary", {}, `${text.slice(0, 160)}… (${text.length} characters)`), text);
}

// "1 item", "3 items"; "1 child", "2 children".
export function count(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

export function call(fn, args) {
  return `${fn}(${(args || []).map(show).join(", ")})`;
}

export function notice(kind, ...text) {
  return h("div", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, ...text);
}
