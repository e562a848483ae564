// Finding one address's mapping in smaps text (/proc/self/smaps, or SimulatedMm.smaps(), which
// prints the same format) and reading its VmFlags.

export interface SmapsEntry {
  start: number;
  end: number;
  /** The header line: range, permissions, offset, device, inode. */
  header: string;
  /** The VmFlags mnemonics in order. */
  vmFlags: string[];
}

const HEADER = /^([0-9a-f]+)-([0-9a-f]+) /u;

/** The entry of the mapping that holds `addr`, or undefined. */
export function smapsEntryAt(text: string, addr: number): SmapsEntry | undefined {
  let current: SmapsEntry | undefined;
  for (const line of text.split('\n')) {
    const header = HEADER.exec(line);
    if (header !== null) {
      if (current !== undefined) return current;
      const start = Number.parseInt(header[1]!, 16);
      const end = Number.parseInt(header[2]!, 16);
      if (start <= addr && addr < end) current = { start, end, header: line.trimEnd(), vmFlags: [] };
    } else if (current !== undefined && line.startsWith('VmFlags:')) {
      current.vmFlags = line.slice('VmFlags:'.length).trim().split(/\s+/u);
    }
  }
  return current;
}
