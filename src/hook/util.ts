/** Small pieces the hook's steps share: bounded waits, a failure that stops the VM's start. */

export type HookLog = (line: string) => void;

/** A failure the hook reports to libvirt: a non-zero exit with this message on stderr. */
export class HookFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HookFailure';
  }
}

/** `promise`, or a HookFailure after `ms`: libvirt waits for the hook, so the hook never waits forever. */
export async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HookFailure(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
