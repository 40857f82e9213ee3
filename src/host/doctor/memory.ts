/** Hugepages: enough free pages of the size, a hugetlbfs mount for it (research §3.5, §4 item 5). */
import type { HostFacts } from '../facts.js';
import { availablePages, formatPageSize, poolDir } from '../memory.js';
import type { HostNeeds } from '../needs.js';
import { hugetlbfsPageKiB } from '../procfs.js';
import { fail, ok, warn, type Finding } from './finding.js';

type Need = NonNullable<HostNeeds['hugepages']>;

function poolFinding(facts: HostFacts, { sizeKiB, count, node, atStart }: Need): Finding {
  const size = formatPageSize(sizeKiB);
  const nodePools = node !== undefined ? facts.numa?.find((n) => n.id === node)?.pools : undefined;
  const pool = (nodePools ?? facts.memory.pools).find((p) => p.sizeKiB === sizeKiB);
  const sysfs = `${poolDir(sizeKiB, nodePools ? node : undefined)}/nr_hugepages`;
  const where = nodePools ? ` on node ${node}` : '';
  if (!pool) {
    return fail(
      'hugepages',
      `the host has no ${size} hugepage pool`,
      `the VM asks for ${count} pages of ${size}`,
      sizeKiB >= 1048576
        ? 'the CPU needs pdpe1gb for 1G pages; or use 2M pages'
        : 'use a page size the host has',
    );
  }
  const free = availablePages(pool);
  if (free >= count) return ok('hugepages', `${free} free ${size} hugepages${where}, ${count} needed`);
  if (atStart) {
    return ok(
      'hugepages',
      `${free} free ${size} hugepages${where} now; virt-gen's hook allocates the ${count} the VM needs at each start (runtime.allocateHugepages)`,
    );
  }
  const bootArgs = `hugepagesz=${size} hugepages=${pool.total - free + count}`;
  return fail(
    'hugepages',
    `only ${free} free ${size} hugepages${where} (${pool.total} allocated, ${pool.reserved} reserved); the VM needs ${count}`,
    'QEMU fails at start: "unable to map backing store for guest RAM: Cannot allocate memory"',
    `allocate more: echo ${pool.total - free + count} > ${sysfs} (check it reads back: memory may be fragmented), ` +
      `or reserve them at boot with ${bootArgs}`,
  );
}

function mountFinding(facts: HostFacts, sizeKiB: number): Finding {
  const size = formatPageSize(sizeKiB);
  const defaultKiB = facts.memory.defaultHugepageKiB;
  const mount = facts.mounts.find(
    (m) => m.fstype === 'hugetlbfs' && (hugetlbfsPageKiB(m) ?? defaultKiB) === sizeKiB,
  );
  if (mount) return ok('hugetlbfs', `hugetlbfs for ${size} pages is mounted at ${mount.target}`);
  return fail(
    'hugetlbfs',
    `no hugetlbfs is mounted for ${size} pages`,
    'libvirt puts guest RAM in a hugetlbfs mount it found when it started ("hugetlbfs filesystem is not mounted")',
    `mkdir -p /dev/hugepages${size}; mount -t hugetlbfs -o pagesize=${size} hugetlbfs /dev/hugepages${size} (and in /etc/fstab), then restart libvirtd`,
  );
}

export function checkHugepages(facts: HostFacts, needs: HostNeeds | undefined): Finding[] {
  const hp = needs?.hugepages;
  if (!hp) return [];
  const findings = [poolFinding(facts, hp), mountFinding(facts, hp.sizeKiB)];
  if (hp.sizeKiB >= 1048576 && !facts.cpuInfo.flags.includes('pdpe1gb')) {
    findings.push(warn('pdpe1gb', 'the CPU flags lack pdpe1gb', '1G pages need it', 'use 2M pages'));
  }
  return findings;
}
