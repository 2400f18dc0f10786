/**
 * The case's BPMN as the server stores it (workflows/*.bpmn): no diagram layout (BPMNDI) and no
 * `incoming`/`outgoing` references on the flow nodes, which the layout (bpmn-auto-layout) walks. Read with
 * the browser's own XML parser, so that the console bundles one BPMN model library only: the one bpmn-js uses.
 */

const BPMN = 'http://www.omg.org/spec/BPMN/20100524/MODEL';

/** Children a flow node's references come after (BPMN 2.0 schema order: documentation, extensions, refs). */
const BEFORE_REFERENCES = new Set(['documentation', 'extensionElements']);

function parse(xml: string): XMLDocument {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length) throw new Error('流程定义不是有效的 BPMN 文件。');
  return doc;
}

function elementsById(doc: XMLDocument): Map<string, Element> {
  const byId = new Map<string, Element>();
  for (const el of Array.from(doc.getElementsByTagNameNS(BPMN, '*'))) {
    const id = el.getAttribute('id');
    if (id) byId.set(id, el);
  }
  return byId;
}

function hasReference(node: Element, kind: 'incoming' | 'outgoing', flowId: string): boolean {
  return Array.from(node.children).some(
    (c) => c.namespaceURI === BPMN && c.localName === kind && c.textContent?.trim() === flowId,
  );
}

/** Adds `<incoming>`/`<outgoing>` to a node, after its documentation and extensions, incoming first. */
function addReference(node: Element, kind: 'incoming' | 'outgoing', flowId: string, prefix: string | null) {
  if (hasReference(node, kind, flowId)) return;
  const ref = node.ownerDocument.createElementNS(BPMN, prefix ? `${prefix}:${kind}` : kind);
  ref.textContent = flowId;
  const skip = (c: Element) =>
    c.namespaceURI === BPMN &&
    (BEFORE_REFERENCES.has(c.localName) ||
      c.localName === 'incoming' ||
      (kind === 'outgoing' && c.localName === 'outgoing'));
  const before = Array.from(node.children).find((c) => !skip(c)) ?? null;
  node.insertBefore(ref, before);
}

/** The XML with every sequence flow named on its source (`outgoing`) and its target (`incoming`). */
export function withFlowReferences(xml: string): string {
  const doc = parse(xml);
  const byId = elementsById(doc);
  for (const flow of Array.from(doc.getElementsByTagNameNS(BPMN, 'sequenceFlow'))) {
    const id = flow.getAttribute('id');
    const source = byId.get(flow.getAttribute('sourceRef') ?? '');
    const target = byId.get(flow.getAttribute('targetRef') ?? '');
    if (!id || !source || !target) continue;
    addReference(source, 'outgoing', id, flow.prefix);
    addReference(target, 'incoming', id, flow.prefix);
  }
  return new XMLSerializer().serializeToString(doc);
}

/** Whether the XML already carries a diagram layout (then it is drawn as it is). */
export function hasLayout(xml: string): boolean {
  return /<([\w-]+:)?BPMNShape[\s>]/.test(xml);
}

/** The name of each element (step, event, gateway) by id, for the case's timeline. */
export function elementNames(xml: string): Record<string, string> {
  const names: Record<string, string> = {};
  for (const [id, el] of elementsById(parse(xml))) {
    const name = el.getAttribute('name');
    if (name) names[id] = name;
  }
  return names;
}
