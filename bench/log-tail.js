// Reads the gateway's log file while the gateway writes it, as a log collector would: the gateway
// writes to a regular file (never a pipe that could fill and stall it), and this reader keeps up
// with it, counting bytes, lines and warn/error lines, so the report says what was logged without
// ever holding the whole log in memory.
'use strict';
const fs = require('node:fs');
const { StringDecoder } = require('node:string_decoder');

const PROBLEM = /"level":(40|50|60)\b/;

/** Starts tailing `file` every `intervalMs`; stop() reads what is left and returns the counts. */
function tailLog(file, intervalMs = 100) {
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.alloc(1 << 20);
  const counts = { bytes: 0, lines: 0, problems: 0, maxBacklogBytes: 0, firstProblems: [] };
  // A UTF-8 character may straddle two reads: the decoder holds its first bytes back.
  const decoder = new StringDecoder('utf8');
  let partial = '';
  // The first few warn/error lines are kept for the report's reader: they say what went wrong.
  const problem = (line) => {
    if (!PROBLEM.test(line)) return;
    counts.problems += 1;
    if (counts.firstProblems.length < 3) counts.firstProblems.push(line.slice(0, 400));
  };
  const drain = () => {
    const backlog = fs.fstatSync(fd).size - counts.bytes;
    if (backlog > counts.maxBacklogBytes) counts.maxBacklogBytes = backlog;
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, counts.bytes);
      if (n === 0) return;
      counts.bytes += n;
      const lines = (partial + decoder.write(buffer.subarray(0, n))).split('\n');
      partial = lines.pop() ?? '';
      counts.lines += lines.length;
      for (const line of lines) problem(line);
    }
  };
  const timer = setInterval(drain, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      drain();
      if (partial) {
        counts.lines += 1;
        problem(partial);
      }
      fs.closeSync(fd);
      return { ...counts, firstProblems: [...counts.firstProblems] };
    },
  };
}

module.exports = { tailLog };
