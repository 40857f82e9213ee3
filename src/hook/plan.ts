/**
 * The runtime plan: what virt-gen's libvirt hook does for one domain, written by generation into
 * the domain's `<metadata>` and read back by the hook from the XML libvirt hands it on stdin.
 * Keeping the plan in the domain means no per-VM file can drift from what libvirt runs.
 *
 *   <vgr:runtime xmlns:vgr="https://virt-gen.dev/xmlns/runtime/1">
 *     <vgr:hugepages size-kib="2048"><vgr:pages node="1" count="8192"/></vgr:hugepages>
 *     <vgr:isolate host-cpus="0,16"/>
 *     <vgr:governor name="performance" cpus="1-7,17-23"/>
 *   </vgr:runtime>
 *
 * A separate namespace from the define stamp (define/stamp.ts): libvirt keeps one metadata element
 * per namespace, and the stamp is replaced whole at every define.
 */
import { childElements, type XmlElement } from '../domain/xml-node.js';

export const RUNTIME_NS = 'https://virt-gen.dev/xmlns/runtime/1';
const PREFIX = 'vgr';

export interface RuntimePlan {
  hugepages?: { sizeKiB: number; pages: Array<{ node?: number; count: number }> };
  /** Host CPUs the host's own slices keep while the VM runs (a cpulist). */
  isolate?: { hostCpus: string };
  /** Governor for `cpus` (a cpulist; undefined: every CPU). */
  governor?: { name: string; cpus?: string };
}

const el = (name: string, attrs: Record<string, string>, children: XmlElement[] = []): XmlElement => ({
  name: `${PREFIX}:${name}`,
  attrs,
  children,
});

export function runtimePlanElement(plan: RuntimePlan): XmlElement {
  const children: XmlElement[] = [];
  if (plan.hugepages) {
    const pages = plan.hugepages.pages.map((p) =>
      el('pages', { ...(p.node !== undefined ? { node: String(p.node) } : {}), count: String(p.count) }),
    );
    children.push(el('hugepages', { 'size-kib': String(plan.hugepages.sizeKiB) }, pages));
  }
  if (plan.isolate) children.push(el('isolate', { 'host-cpus': plan.isolate.hostCpus }));
  if (plan.governor) {
    const { name, cpus } = plan.governor;
    children.push(el('governor', { name, ...(cpus !== undefined ? { cpus } : {}) }));
  }
  return { ...el('runtime', { [`xmlns:${PREFIX}`]: RUNTIME_NS }), children };
}

const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

function isRuntimeElement(e: XmlElement): boolean {
  if (localName(e.name) !== 'runtime') return false;
  const prefix = e.name.includes(':') ? e.name.slice(0, e.name.indexOf(':')) : undefined;
  return (prefix === undefined ? e.attrs.xmlns : e.attrs[`xmlns:${prefix}`]) === RUNTIME_NS;
}

const whole = (text: string | undefined): number | undefined =>
  text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;

/** The plan in a domain document's `<metadata>`, or undefined when it has none (or a malformed one). */
export function readRuntimePlan(domain: XmlElement): RuntimePlan | undefined {
  const metadata = childElements(domain).find((c) => c.name === 'metadata');
  const runtime = metadata && childElements(metadata).find(isRuntimeElement);
  if (!runtime) return undefined;
  const plan: RuntimePlan = {};
  for (const c of childElements(runtime)) {
    const kind = localName(c.name);
    if (kind === 'hugepages') {
      const sizeKiB = whole(c.attrs['size-kib']);
      const pages = childElements(c).map((p) => ({ node: whole(p.attrs.node), count: whole(p.attrs.count) }));
      if (sizeKiB === undefined || pages.some((p) => p.count === undefined)) return undefined;
      plan.hugepages = {
        sizeKiB,
        pages: pages.map((p) => ({
          ...(p.node !== undefined ? { node: p.node } : {}),
          count: p.count as number,
        })),
      };
    } else if (kind === 'isolate' && c.attrs['host-cpus'] !== undefined) {
      plan.isolate = { hostCpus: c.attrs['host-cpus'] };
    } else if (kind === 'governor' && c.attrs.name !== undefined) {
      plan.governor = { name: c.attrs.name, ...(c.attrs.cpus !== undefined ? { cpus: c.attrs.cpus } : {}) };
    }
  }
  return plan;
}
