/**
 * Word lists applied before stemming. STOP_WORDS are dropped from documents and queries alike: function words
 * carry no evidence about which tool fits, and in a small catalog BM25's IDF alone does not silence them (a word
 * missing from half the tools still gets weight). CONVERSATIONAL words are kept in queries at a low weight: users
 * wrap tasks in politeness and intent phrases ("could you please help me ...") that would otherwise pull in tools
 * named `help` or `my_core_function`, yet they are occasionally the only clue.
 */

const STOP = `a about above after again against all also am an and any are as at be because been before being below
between both but by could did do does doing done down during each either else etc ever every few for from further
had has have having he her here hers herself him himself his how however i if in into is it its itself just let lets
may me might mine more most much must my myself neither no nor not now of off on once only or other our ours
ourselves out over own per same shall she should since so some such than that the their theirs them themselves then
there these they this those though through thus to too under until up upon us very via was we were what whatever
when whenever where whether which while who whom whose why will with within without would yet you your yours yourself
yourselves im ive id youre youve youll dont doesnt didnt cant wont isnt arent wasnt werent whats thats theres heres
lets hows wheres whos`;

const CONVERSATIONAL = `please pls kindly can like want wanted wants need needs needed help helps helping tell know
give provide hi hello hey thanks thank okay ok sure really actually maybe still wonder wondering interested looking
trying try going gonna wanna assist assistance able possible something anything someone one way`;

function toSet(words: string): ReadonlySet<string> {
  return new Set(words.split(/\s+/).filter((w) => w.length > 0));
}

/** Dropped from both documents and queries (matched on the lowercased, unstemmed token). */
export const STOP_WORDS: ReadonlySet<string> = toSet(STOP);

/** Down-weighted in queries only (matched on the lowercased, unstemmed token). */
export const CONVERSATIONAL_WORDS: ReadonlySet<string> = toSet(CONVERSATIONAL);
