/**
 * Light English stemmer. Tool text is short, so conflating inflections ("movies"/"movie", "created"/"create"/
 * "creating", "scanner"/"scan") recovers many matches, while aggressive derivational stemming (Porter's
 * "general"/"generate" -> "gener") would merge verbs that pick different tools. Rules, applied in order:
 * plural/3rd person, -ed/-ing (with consonant undoubling), a few agent/action suffixes (-ation, -ator, -er, -ly),
 * then the normalisations that make both sides of a pair meet: final y -> i and dropping a final silent e.
 */

/** Words the rules would mangle or that end in a suffix-like string that is not a suffix. */
const EXCEPTIONS: Record<string, string> = {
  news: "news",
  series: "series",
  species: "species",
  physics: "physics",
  mathematics: "math",
  maths: "math",
  analytics: "analytic",
  always: "always",
  perhaps: "perhaps",
  used: "use",
  uses: "use",
  using: "use",
  user: "user",
  users: "user",
  during: "during",
  thing: "thing",
  things: "thing",
  something: "something",
  anything: "anything",
  nothing: "nothing",
  everything: "everything",
  morning: "morning",
  evening: "evening",
  spring: "spring",
  string: "string",
  strings: "string",
  bring: "bring",
  ring: "ring",
  king: "king",
  wedding: "wedding",
  pudding: "pudding",
  bed: "bed",
  red: "red",
  speed: "speed",
  need: "need",
  feed: "feed",
  seed: "seed",
  embedded: "embed",
  monitor: "monitor",
  monitors: "monitor",
  monitoring: "monitor",
  monitored: "monitor",
  data: "data",
  media: "media",
  better: "better",
  letter: "letter",
  letters: "letter",
  matter: "matter",
  twitter: "twitter",
  number: "number",
  numbers: "number",
  member: "member",
  members: "member",
  remember: "remember",
  children: "child",
  people: "person",
  men: "man",
  women: "woman",
};

const VOWEL = /[aeiouy]/;
const ASCII_WORD = /^[a-z]+$/;
/** Doubled final consonants to undo after removing -ed/-ing/-er ("running" -> "run"); ll, ss, zz are kept. */
const DOUBLED = /([bcdfgkmnprt])\1$/;

/** Stems one lowercase token; non-ASCII or very short tokens are returned unchanged. */
export function stem(word: string): string {
  // Own entries only: "constructor" is a word too, and must not find Object.prototype's.
  if (Object.hasOwn(EXCEPTIONS, word)) return EXCEPTIONS[word]!;
  if (word.length <= 3 || !ASCII_WORD.test(word)) return word;
  let w = stripPlural(word);
  w = stripVerbEnding(w);
  w = stripDerivation(w);
  // y -> i so "query"/"queries" and "apply"/"applied" meet ("ies"/"ied" already became "i").
  if (w.length > 3 && w.endsWith("y") && !VOWEL.test(w[w.length - 2]!)) w = w.slice(0, -1) + "i";
  // Silent e: "make"/"making", "create"/"creating", "file"/"files".
  if (w.length >= 4 && w.endsWith("e") && !w.endsWith("ee")) w = w.slice(0, -1);
  return w;
}

function stripPlural(w: string): string {
  if (w.endsWith("ies") && w.length > 4) return w.slice(0, -2);
  if (w.endsWith("sses")) return w.slice(0, -2);
  if (/(?:x|ch|sh|zz)es$/.test(w)) return w.slice(0, -2);
  if (w.endsWith("s") && !/(?:ss|us|is)$/.test(w)) return w.slice(0, -1);
  return w;
}

function stripVerbEnding(w: string): string {
  if (w.endsWith("ied") && w.length > 4) return w.slice(0, -2);
  if (w.endsWith("eed")) return w;
  if (w.endsWith("ed")) return trimSuffix(w, 2);
  if (w.endsWith("ing")) return trimSuffix(w, 3);
  return w;
}

/** Removes an inflection when at least three letters with a vowel remain, then undoubles ("stopped" -> "stop"). */
function trimSuffix(w: string, n: number): string {
  const base = w.slice(0, -n);
  if (base.length < 3 || !VOWEL.test(base)) return w;
  return DOUBLED.test(base) ? base.slice(0, -1) : base;
}

function stripDerivation(w: string): string {
  // "optimization" -> "optimize", "creation" -> "create", "calculator" -> "calculate": the action noun and the agent
  // noun meet the verb.
  if (w.endsWith("ization")) return w.slice(0, -5) + "e";
  if (w.endsWith("ation") && w.length - 5 >= 3) return w.slice(0, -3) + "e";
  if (w.endsWith("ator") && w.length - 4 >= 3) return w.slice(0, -2) + "e";
  if (w.endsWith("er") && w.length - 2 >= 4 && VOWEL.test(w.slice(0, -2))) {
    const base = w.slice(0, -2);
    return DOUBLED.test(base) ? base.slice(0, -1) : base;
  }
  // Adverbs after a consonant only: "weekly", "currently"; not "family", "apply", "supply".
  if (/[^aeiouylp]ly$/.test(w) && w.length - 2 >= 4) return w.slice(0, -2);
  return w;
}
