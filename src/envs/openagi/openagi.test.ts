import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  isOpenAgiTerminal,
  openAgiActionSpace,
  openAgiActionsMatch,
  openAgiModules,
  parseOpenAgiAction,
  parseTaskSelection,
  readTaskFile,
  selectStandardTasks,
  standardTaskTexts,
  standardTasks,
  taskForText,
} from './index.js';

/** The benchmark's own files, present in the development checkout only. */
const sharedData = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'openagi');
const hasSharedData = existsSync(join(sharedData, 'task_description.txt'));

describe('OpenAGI tasks', () => {
  it('generates the 185 standard tasks in the benchmark order', () => {
    const texts = standardTaskTexts();
    expect(texts).toHaveLength(185);
    expect(new Set(texts).size).toBe(185);
    expect(texts[0]).toBe('Given low-resolutioned noisy blurry grayscale image, how to return the regular image step by step?');
    expect(texts[11]).toBe('Given blurry image, how to return the regular image step by step?');
    expect(texts[14]).toBe('Given low-resolutioned image, how to return the regular image step by step?');
    expect(texts[106]).toBe('Given English text, how to generate a image step by step?');
    expect(texts[184]).toBe('Given English document and English query, how to answer the question in English step by step?');
    expect(standardTasks()[11]).toEqual({ id: 'task-11', text: texts[11] });
  });

  it.skipIf(!hasSharedData)("matches the benchmark's task_description.txt line for line", () => {
    const lines = readFileSync(join(sharedData, 'task_description.txt'), 'utf8').split('\n').filter((line) => line !== '');
    expect(standardTaskTexts()).toEqual(lines);
  });

  it('selects tasks by 0-based numbers and ranges', () => {
    expect(parseTaskSelection('1-3, 7,2')).toEqual([1, 2, 3, 7]);
    // In the order given: a run plans its tasks in this order.
    expect(parseTaskSelection('16,3,11,3')).toEqual([16, 3, 11]);
    expect(selectStandardTasks('11').map((task) => task.id)).toEqual(['task-11']);
    expect(() => parseTaskSelection('180-185')).toThrow('task 185 does not exist: task numbers run from 0 to 184');
    expect(() => parseTaskSelection('5-2')).toThrow('range "5-2" runs backwards');
    expect(() => parseTaskSelection('one')).toThrow('"one" is not a task number or range');
  });

  it('reads more tasks from a file, giving standard tasks their standard ids', () => {
    const directory = mkdtempSync(join(tmpdir(), 'dsp-openagi-'));
    const path = join(directory, 'tasks.txt');
    writeFileSync(path, '# my tasks\n\nGiven  blurry image, how to return the regular image step by step?\nGiven a photo, how to return a poem step by step?\n');
    expect(readTaskFile(path)).toEqual([
      { id: 'task-11', text: 'Given blurry image, how to return the regular image step by step?' },
      { id: 'line-4', text: 'Given a photo, how to return a poem step by step?' },
    ]);
    writeFileSync(path, '# nothing\n');
    expect(() => readTaskFile(path)).toThrow('the task list has no tasks');
    expect(() => readTaskFile(join(directory, 'missing.txt'))).toThrow(/missing\.txt: no such file/);
    expect(taskForText('Given a cat, draw a dog', 'custom-1')).toEqual({ id: 'custom-1', text: 'Given a cat, draw a dog' });
  });
});

describe('OpenAGI modules and actions', () => {
  it('has the 15 modules with their modalities', () => {
    expect(openAgiModules).toHaveLength(15);
    expect(openAgiModules.find((module) => module.name === 'Visual Question Answering')).toMatchObject({ input: 'image-text', output: 'text' });
  });

  it.skipIf(!hasSharedData)("agrees with the benchmark's module table", () => {
    const table = JSON.parse(readFileSync(join(sharedData, 'modules.json'), 'utf8')) as Array<{ name: string; input: string; output: string }>;
    expect(openAgiModules.map(({ name, input, output }) => ({ name, input, output }))).toEqual(table);
  });

  it('parses the last tool tag, else a bold module name, else fails', () => {
    expect(parseOpenAgiAction('Thought: deblur first.\nAction: <tool>Image Deblurring</tool>')).toMatchObject({ ok: true, action: 'Image Deblurring' });
    expect(parseOpenAgiAction('<tool>Colorization</tool> … no wait: <tool>image super-resolution</tool>')).toMatchObject({
      ok: true,
      action: 'Image Super Resolution',
      known: true,
    });
    expect(parseOpenAgiAction('The next step is **Image Denoising**.')).toMatchObject({ ok: true, action: 'Image Denoising', source: 'bold' });
    expect(parseOpenAgiAction('The next step is Image Denoising.')).toMatchObject({ ok: false });
  });

  it('matches canonical names and treats TERMINATE as terminal', () => {
    expect(openAgiActionsMatch('Image Super-Resolution', 'Image Super Resolution')).toBe(true);
    expect(openAgiActionsMatch('Text-to-Image Generation', 'Text to Image Generation')).toBe(true);
    expect(openAgiActionsMatch('Image Deblurring', 'Image Denoising')).toBe(false);
    expect(isOpenAgiTerminal('TERMINATE')).toBe(true);
    expect(isOpenAgiTerminal('terminate')).toBe(true);
    expect(isOpenAgiTerminal('Colorization')).toBe(false);
  });

  it('describes every module and TERMINATE to the model', () => {
    const description = openAgiActionSpace.describe();
    for (const module of openAgiModules) expect(description).toContain(`- ${module.name}: `);
    expect(description).toContain('- TERMINATE: ends the plan');
    expect(description).toContain('- Question Answering: answers an English question about an English document (text + text → text)');
  });
});
