/**
 * The OpenAGI modules (Ge et al., "OpenAGI: When LLM Meets Domain Experts", NeurIPS 2023 benchmark): 15 expert
 * models a plan chains together, plus `TERMINATE`, which ends the plan. Names and input/output modalities are
 * facts of the benchmark (its module table); the one-line descriptions are ours.
 */

/** What a module takes or gives. `text-text` is two texts (a document and a question). */
export type OpenAgiModality = 'image' | 'text' | 'text-text' | 'image-text';

/** One OpenAGI module. */
export interface OpenAgiModule {
  /** The module's name as the benchmark spells it. */
  readonly name: string;
  readonly input: OpenAgiModality;
  readonly output: 'image' | 'text';
  /** What the module does, in one line (shown to the model). */
  readonly description: string;
}

/** The 15 modules, in the benchmark's order. */
export const openAgiModules: readonly OpenAgiModule[] = [
  { name: 'Colorization', input: 'image', output: 'image', description: 'turns a grayscale image into a colour image' },
  { name: 'Image Denoising', input: 'image', output: 'image', description: 'removes noise from an image' },
  { name: 'Image Deblurring', input: 'image', output: 'image', description: 'removes blur from an image' },
  {
    name: 'Image Super Resolution',
    input: 'image',
    output: 'image',
    description: 'raises the resolution of a low-resolution image',
  },
  { name: 'Image Classification', input: 'image', output: 'text', description: 'gives the class label of an image (English)' },
  { name: 'Image Captioning', input: 'image', output: 'text', description: 'writes a caption for an image (English)' },
  { name: 'Object Detection', input: 'image', output: 'text', description: 'names the objects in an image (English)' },
  { name: 'Text Summarization', input: 'text', output: 'text', description: 'summarises an English text' },
  { name: 'Text Generation', input: 'text', output: 'text', description: 'continues an English text' },
  { name: 'Machine Translation', input: 'text', output: 'text', description: 'translates English text into German' },
  { name: 'Fill Mask', input: 'text', output: 'text', description: 'fills in the missing words of a clozed text' },
  { name: 'Sentiment Analysis', input: 'text', output: 'text', description: 'gives the sentiment of an English text' },
  { name: 'Text to Image Generation', input: 'text', output: 'image', description: 'draws an image from an English text' },
  {
    name: 'Question Answering',
    input: 'text-text',
    output: 'text',
    description: 'answers an English question about an English document',
  },
  {
    name: 'Visual Question Answering',
    input: 'image-text',
    output: 'text',
    description: 'answers an English question about an image',
  },
];

/** The action that ends an OpenAGI plan. */
export const terminateAction = 'TERMINATE';
