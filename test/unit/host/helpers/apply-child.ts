/**
 * A child process for the crash tests: plans and applies the guide VM's host changes under the root
 * given as argv[2]. The tests kill it (SIGKILL) part-way, e.g. while the pause hook
 * (VIRT_GEN_TEST_PAUSE_BEFORE_RENAME) holds it between writing the temporary file and renaming it.
 */
import { parsePciAddress, type PciAddress } from '../../../../src/domain/address.js';
import { readHostFacts } from '../../../../src/host/facts.js';
import { applyHostPlan, planHost } from '../../../../src/host/plan.js';

export const CHILD_NEEDS = {
  pciDevices: ['02:00.0', '02:00.1'].map((a) => parsePciAddress(a) as PciAddress),
  deviceNodes: ['/dev/kvmfr0'],
  readFiles: [],
};

async function main(): Promise<void> {
  const root = process.argv[2];
  if (!root) throw new Error('usage: apply-child ROOT');
  const facts = await readHostFacts(root);
  await applyHostPlan(await planHost(facts, CHILD_NEEDS, root), root);
  process.stdout.write('applied\n');
}

if (process.argv[1]?.endsWith('apply-child.js')) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
