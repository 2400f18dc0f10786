declare module 'bpmn-moddle' {
  export default class BpmnModdle {
    constructor(packages?: object);
    fromXML(xml: string): Promise<{ rootElement: unknown; warnings?: { message: string }[] }>;
  }
}
