import { readFileSync } from 'node:fs';
import { DefinitionError, parseDefinition } from './bpmn.js';

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
});
