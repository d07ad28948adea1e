/**
 * Reading the DSP authors' timestamped text logs: every line is `MM/DD/YYYY, HH:MM:SS: message`.
 */
import { InvalidInputError } from '../../core/errors.js';
import { readTextFile } from '../../io/read-text.js';

/** One log line with its timestamp stripped. */
export interface LogLine {
  /** 1-based line number in the file. */
  lineNumber: number;
  /** The message after the timestamp. */
  message: string;
}

/** A parsed log file. */
export interface LogFile {
  path: string;
  lines: LogLine[];
}

const timestampPattern = /^\d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}:\d{2}: /;

/**
 * Splits a log's text into messages. Every line must carry the timestamp, with one tolerated exception: a last line
 * without a final newline and without a timestamp is a write cut short (one of the published logs ends with such a
 * fragment) and is ignored. Any other line without a timestamp is an error naming the file and the line.
 */
export function parseLogText(text: string, path: string): LogFile {
  const rawLines = text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  if (endsWithNewline) rawLines.pop();
  const lines: LogLine[] = [];
  rawLines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const lineNumber = index + 1;
    const match = timestampPattern.exec(line);
    if (match !== null) {
      lines.push({ lineNumber, message: line.slice(match[0].length) });
      return;
    }
    const isCutShortLastLine = !endsWithNewline && index === rawLines.length - 1;
    if (isCutShortLastLine || line.trim() === '') return;
    throw new InvalidInputError(
      `line ${lineNumber}: expected a line starting with a timestamp "MM/DD/YYYY, HH:MM:SS: ", found ${quote(line)}`,
      { source: path },
    );
  });
  return { path, lines };
}

/** Reads and splits a log file; a missing or unreadable file is an `InvalidInputError` naming it. */
export function readLogFile(path: string): LogFile {
  const text = readTextFile(path);
  return parseLogText(text, path);
}

/** An `InvalidInputError` pointing at one line of a log. */
export function lineError(file: LogFile, line: LogLine | number, message: string): InvalidInputError {
  const lineNumber = typeof line === 'number' ? line : line.lineNumber;
  return new InvalidInputError(`line ${lineNumber}: ${message}`, { source: file.path });
}

/** A short quoted excerpt for error messages. */
export function quote(text: string): string {
  const excerpt = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return JSON.stringify(excerpt);
}
