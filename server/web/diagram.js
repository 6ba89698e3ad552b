// The diagrams: the SVG the server draws (Graphviz), shown at a readable zoom, and the
// parts of it a page colours — each node is a g "node_NAME", each edge "edge_INDEX".
import { h } from "./dom.js";
import { ApiError } from "./shell.js";

// The SVG the server drew, in CONTAINER. Graphviz names every node g "node_NAME" and every
// edge g "edge_INDEX" (render/graphviz.hpp): the path is coloured by classes on them.
const diagramTexts = new Map(); // url -> SVG text: a fan-out redraws its overlay at each wave
export async function loadDiagram(container, url, label) {
  if (!diagramTexts.has(url)) {
    const res = await fetch(url, { credentials: "same-origin" });
    if (!res.ok) throw new ApiError(res.status, `the diagram could not be drawn (${res.status})`);
    diagramTexts.set(url, await res.text());
  }
  const doc = new DOMParser().parseFromString(diagramTexts.get(url), "image/svg+xml");
  const svg = document.importNode(doc.documentElement, true);
  // Graphviz sizes in points; the page scales by the zoom (a CSS pixel is 3/4 of a point).
  const pt = (v) => parseFloat(v || "0") * (String(v).endsWith("pt") ? 4 / 3 : 1);
  container.naturalWidth = pt(svg.getAttribute("width"));
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  container.replaceChildren(svg);
  applyZoom(container);
  return svg;
}

// A diagram is drawn at a readable zoom (labels about 10 px), which may scroll; "Fit"
// shows all of it at once. The zoom is set through the CSSOM (the CSP allows no inline
// style attribute).
const kReadableZoom = 0.7;
export function applyZoom(box) {
  const svg = box.querySelector("svg");
  if (!svg) return;
  if (box.zoom === "fit" || !box.naturalWidth) {
    svg.style.width = "100%";
  } else {
    svg.style.width = `${Math.round(box.naturalWidth * box.zoom)}px`;
  }
}

export function diagramBlock(id, label) {
  // Focusable, so a keyboard can scroll a diagram larger than its box.
  const box = h("div", { class: "diagram", id, tabindex: 0, role: "region", "aria-label": label });
  box.zoom = kReadableZoom;
  const zoomBy = (f) => () => {
    const now = box.zoom === "fit" ? box.clientWidth / (box.naturalWidth || box.clientWidth) : box.zoom;
    box.zoom = Math.min(2, Math.max(0.2, now * f));
    applyZoom(box);
  };
  const fit = () => {
    box.zoom = "fit";
    applyZoom(box);
  };
  const tools = h("div", { class: "zoom", role: "group", "aria-label": `Zoom of the ${label.toLowerCase()}` },
    h("button", { type: "button", onclick: zoomBy(1 / 1.25), "aria-label": "Zoom out" }, "−"),
    h("button", { type: "button", onclick: zoomBy(1.25), "aria-label": "Zoom in" }, "+"),
    h("button", { type: "button", onclick: fit }, "Fit"));
  return { box, bar: h("div", { class: "diagram-bar" }, h("h2", {}, label), tools) };
}

// Scrolls BOX (not the page) so that G is in the middle of it.
export function follow(box, g) {
  if (!g) return;
  const b = box.getBoundingClientRect(), r = g.getBoundingClientRect();
  box.scrollLeft += r.left + r.width / 2 - (b.left + b.width / 2);
  box.scrollTop += r.top + r.height / 2 - (b.top + b.height / 2);
}

export function svgPart(svg, id) {
  return svg.querySelector(`g[id="${CSS.escape(id)}"]`);
}

// Notes a count beside edge E: on its label when it has one, else at its middle.
export function countEdge(svg, g, n) {
  const existing = g.querySelector("text.count");
  if (existing) existing.remove();
  const path = g.querySelector("path");
  if (!path) return;
  const mid = path.getPointAtLength(path.getTotalLength() / 2);
  const t = document.createElementNS("http://www.w3.org/2000/svg", "text");
  t.setAttribute("class", "count");
  t.setAttribute("x", mid.x + 6);
  t.setAttribute("y", mid.y - 4);
  t.textContent = `×${n}`;
  g.append(t);
}
