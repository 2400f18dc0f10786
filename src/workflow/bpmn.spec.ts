import { readFileSync } from 'node:fs';
import { DefinitionError, LiveEngine, parseDefinition, serializeSource } from './bpmn.js';

const fixture = readFileSync('test/fixtures/workflows/review.bpmn', 'utf8');
const wrap = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="urn:t">
  <bpmn:process id="p" isExecutable="true">${body}</bpmn:process>
</bpmn:definitions>`;

async function refusal(xml: string): Promise<string> {
  try {
    await parseDefinition('flows/x.bpmn', xml);
  } catch (e) {
    expect(e).toBeInstanceOf(DefinitionError);
    return (e as Error).message;
  }
  throw new Error('accepted');
}

describe('BPMN definitions', () => {
  it('given the test flow, then its process, topics and user tasks are read', async () => {
    const def = await parseDefinition('review.bpmn', fixture);
    expect(def.processId).toBe('review');
    expect(def.topics).toEqual(['testPublish']);
    expect(def.userTasks.map((t) => t.id)).toEqual([
      'deptApprove',
      'officeReview',
      'correct',
      'countersign',
      'leaderSign',
    ]);
    expect(def.userTasks.find((t) => t.id === 'officeReview')).toMatchObject({
      candidateGroups: 'office',
      formKey: 'review',
    });
  });

  it('given XML that does not parse, then the refusal names the file', async () => {
    expect(await refusal('<bpmn:definitions><oops')).toMatch(/^flows\/x\.bpmn: the XML does not parse/);
  });

  it('given a script task, then the refusal names the element', async () => {
    const msg = await refusal(
      wrap(
        '<bpmn:scriptTask id="calc" scriptFormat="javascript"><bpmn:script>next()</bpmn:script></bpmn:scriptTask>',
      ),
    );
    expect(msg).toMatch(/flows\/x\.bpmn: element "calc" \(bpmn:ScriptTask\): script tasks are not allowed/);
  });

  it('given a script condition, then the refusal names the flow', async () => {
    const msg = await refusal(
      wrap(`<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>
        <bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e">
          <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="javascript">next(null, true)</bpmn:conditionExpression>
        </bpmn:sequenceFlow>`),
    );
    expect(msg).toMatch(/element "f" \(bpmn:SequenceFlow\): script conditions are not allowed/);
  });

  it('given a service task without a topic, then it is refused', async () => {
    expect(await refusal(wrap('<bpmn:serviceTask id="svc" implementation="foo"/>'))).toMatch(
      /element "svc".*environment\.services/,
    );
  });

  it('given no executable process, then it is refused', async () => {
    expect(await refusal(wrap('').replace('isExecutable="true"', 'isExecutable="false"'))).toMatch(
      /exactly one executable process/,
    );
  });

  describe('live engines from the serialized model', () => {
    const flow = readFileSync('workflows/admission.bpmn', 'utf8');
    const topics = [...new Set([...flow.matchAll(/environment\.services\.(\w+)/g)].map((m) => m[1]))];
    const variables = { applicationId: 'a-1', memberUnits: ['u-1', 'u-2'], fundingWindow: 'P30D' };
    const element = (live: LiveEngine) => [...live.waits.values()].map((w) => w.id);

    it('given a serialized model, when a case starts, then the XML is not read, it waits where an engine from the XML waits, and its state leaves the model out', async () => {
      const source = await serializeSource(flow);
      const fromXml = new LiveEngine(null, flow, topics);
      // Not XML at all: an engine that parsed it would fail.
      const fromModel = new LiveEngine(source, '<not-xml', topics);
      await fromXml.start(variables);
      await fromModel.start(variables);
      expect(fromModel.failed).toBeNull();
      expect(element(fromModel)).toEqual(element(fromXml));
      const [a, b] = (await Promise.all([fromModel.state(), fromXml.state()])) as {
        definitions: { id: string; source?: string }[];
      }[];
      expect(a.definitions.map((d) => [d.id, d.source])).toEqual(b.definitions.map((d) => [d.id, d.source]));
      expect(a.definitions[0].source).toBeUndefined();
      fromXml.stop();
      fromModel.stop();
    });

    it('given a stored state (saved without its model), when an engine recovers it, then it waits where the case stood and goes on', async () => {
      const source = await serializeSource(flow);
      const first = new LiveEngine(source, null, topics);
      await first.start(variables);
      const state = await first.state();
      expect((state as { definitions: { source?: string }[] }).definitions[0].source).toBeUndefined();
      const waiting = element(first);
      first.stop();
      const again = new LiveEngine(source, null, topics);
      await again.recover(state);
      expect(element(again)).toEqual(waiting);
      const [api] = again.waits.values();
      again.variables().decision = { approve: true, value: 'approve' };
      api.signal({ decision: 'approve' });
      again.waits.delete(api.executionId);
      expect(again.failed).toBeNull();
      expect(element(again)).not.toEqual(waiting);
      again.stop();
    });
  });
});
