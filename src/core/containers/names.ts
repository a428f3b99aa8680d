/** Container ids and names, Docker style. */
import { randomBytes } from 'node:crypto';
import { invalidArgument } from '../errors.js';

/** Docker's rule for user-given names (moby daemon/names): [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
const NAME_RE = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function validateName(name: string): string {
  if (!NAME_RE.test(name) || name.length > 128) {
    throw invalidArgument(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return name.replace(/^\//, '');
}

export function newId(): string {
  return randomBytes(32).toString('hex');
}

const LEFT = ['admiring', 'adoring', 'affectionate', 'amazing', 'awesome', 'blissful', 'bold', 'brave', 'busy',
  'charming', 'clever', 'compassionate', 'confident', 'cool', 'dazzling', 'determined', 'eager', 'ecstatic',
  'elastic', 'elegant', 'epic', 'exciting', 'festive', 'focused', 'friendly', 'gallant', 'gifted', 'goofy',
  'gracious', 'happy', 'hopeful', 'infallible', 'inspiring', 'intelligent', 'jolly', 'keen', 'kind', 'laughing',
  'loving', 'lucid', 'magical', 'modest', 'musing', 'nice', 'nifty', 'nostalgic', 'optimistic', 'peaceful',
  'pensive', 'practical', 'priceless', 'quirky', 'relaxed', 'reverent', 'romantic', 'serene', 'sharp', 'silly',
  'sleepy', 'stoic', 'strange', 'sweet', 'tender', 'trusting', 'upbeat', 'vibrant', 'vigilant', 'wizardly', 'youthful', 'zealous'];
const RIGHT = ['albattani', 'allen', 'babbage', 'banach', 'bardeen', 'bell', 'bhabha', 'boyd', 'brattain', 'cannon',
  'carson', 'cerf', 'chandrasekhar', 'curie', 'darwin', 'dijkstra', 'easley', 'einstein', 'elion', 'euclid',
  'fermat', 'feynman', 'franklin', 'galileo', 'goldberg', 'goodall', 'hamilton', 'hawking', 'heisenberg',
  'hodgkin', 'hopper', 'hypatia', 'jackson', 'johnson', 'kapitsa', 'keller', 'knuth', 'lamport', 'liskov',
  'lovelace', 'mayer', 'mccarthy', 'meitner', 'mirzakhani', 'morse', 'napier', 'newton', 'noether', 'pascal',
  'payne', 'perlman', 'poincare', 'ritchie', 'rosalind', 'shannon', 'shockley', 'sinoussi', 'stonebraker',
  'swartz', 'tesla', 'thompson', 'torvalds', 'turing', 'varahamihira', 'villani', 'wescoff', 'wilson', 'wing', 'wozniak', 'yalow'];

export function randomName(taken: (n: string) => boolean): string {
  for (let i = 0; i < 100; i++) {
    const a = LEFT[randomBytes(1)[0] % LEFT.length];
    const b = RIGHT[randomBytes(1)[0] % RIGHT.length];
    const n = i < 10 ? `${a}_${b}` : `${a}_${b}${i}`;
    if (!taken(n)) return n;
  }
  return `kctl_${randomBytes(6).toString('hex')}`;
}
