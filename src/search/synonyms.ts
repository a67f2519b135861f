import { stem } from "./stem";

/**
 * Small hand-written thesaurus of the verbs and nouns that tool descriptions and user requests phrase differently
 * ("fetch" vs "retrieve", "film" vs "movie"). Each line is a group of interchangeable words; a query word expands to
 * the rest of its groups at a reduced weight, and a tool scores the best of a word's group rather than the sum (see
 * search-index.ts), so synonyms recover missed matches without inflating tools that use several of them.
 * Groups stay narrow and domain-general on purpose: a wide group ("find" ~ "create") would blur exactly the verb
 * distinctions that separate sibling tools such as `todo_add` / `todo_delete`.
 */
const GROUPS = `
get fetch retrieve obtain read lookup
search find lookup look query seek browse discover explore locate
list show display enumerate view browse
create add make new generate insert register build compose
delete remove erase drop destroy discard clear unregister
cancel abort revoke
update change modify edit alter adjust patch set replace
rename retitle
send post share deliver dispatch transmit forward
buy purchase order shop
book reserve reservation booking schedule
price cost fee rate fare pricing cheap expensive
weather forecast temperature climate rain
movie film cinema theater theatre
show concert event performance
song music track tune album artist
play stream listen watch
image picture photo pic photograph
video clip footage
hotel accommodation lodging motel hostel stay room
house home apartment property rent rental
car vehicle automobile auto
taxi cab ride rideshare
flight airline plane fly airport
train rail railway
bus coach
trip travel journey itinerary vacation tour
restaurant dining dine eatery food cuisine meal
recipe cook cooking dish ingredient
doctor physician therapist psychologist psychiatrist counselor clinic
health medical wellness
fitness workout exercise gym training
job career employment hire hiring recruit vacancy position
money payment pay transfer fund remit
stock share equity ticker
crypto cryptocurrency bitcoin coin token
news headline article
translate translation translator language
calculate compute calculation calc arithmetic math
convert conversion transform
export download
restore recover undelete
summarize summary summarise abstract digest
write compose draft author
save store persist write
email mail inbox
message chat text sms
call phone dial
note memo notebook
task todo reminder
calendar appointment meeting event
alarm timer alert reminder
file document doc pdf
folder directory
website site web webpage page url link
location place address city area region map
directions route navigation navigate
time clock timezone hour
date day calendar
user account profile member
password credential login authenticate authentication
start begin launch run execute initiate trigger open
stop halt end terminate kill close pause
error bug issue problem fault failure
check verify validate test inspect
info information detail details
count number total amount quantity
word vocabulary term
joke funny humor comedy
game play gaming
learn study course tutorial education lesson teach
quiz exam test trivia question
shop store shopping product item
gift present
sport match team league score
recommend recommendation suggest suggestion
analyze analyse analysis evaluate assess examine
repository repo
database db
`;

function buildTable(groups: string): ReadonlyMap<string, readonly string[]> {
  const table = new Map<string, Set<string>>();
  for (const line of groups.split("\n")) {
    const members = [
      ...new Set(
        line
          .split(/\s+/)
          .filter((w) => w.length > 0)
          .map(stem),
      ),
    ];
    for (const m of members) {
      let set = table.get(m);
      if (!set) {
        set = new Set();
        table.set(m, set);
      }
      for (const other of members) if (other !== m) set.add(other);
    }
  }
  return new Map([...table].map(([k, v]) => [k, [...v]]));
}

const TABLE = buildTable(GROUPS);

/** Stemmed synonyms of a stemmed term (empty when it has none). */
export function synonymsOf(term: string): readonly string[] {
  return TABLE.get(term) ?? [];
}
