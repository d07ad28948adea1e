/**
 * The benchmark's six search tools over the database, answering as its ReAct agent shows them: the same argument
 * checks, the same texts for an empty result, and the same error observations for arguments it rejects. A search
 * never throws on a bad argument; it answers with the error text the agent would have seen.
 *
 * Each result also says what the benchmark's agent keeps as its "current data" (what the next `NotebookWrite`
 * stores): the searched table or message for a search that ran, nothing for one rejected by an argument check, and
 * nothing for `CitySearch`, which never replaces it.
 */
import type { TableSlice, TravelPlannerDatabase } from './database.js';
import { pythonText, tableText } from './table-text.js';

/** What a tool answered. */
export interface ToolAnswer {
  /** The observation the agent sees. */
  readonly observation: string;
  /**
   * What a following `NotebookWrite` stores (the benchmark agent's current data, printed as the notebook prints
   * it); `undefined` when this call leaves the current data as it was.
   */
  readonly notebookContent?: string;
}

/** `FlightSearch[Departure City, Destination City, Date]`. Only the flights of the reference information exist. */
export async function flightSearch(database: TravelPlannerDatabase, argument: string): Promise<ToolAnswer> {
  const parts = argument.split(', ');
  if (parts.length < 3) return { observation: 'Illegal Flight Search. Please try again.' };
  const [origin, destination, date] = [parts[0]!, parts[1]!, parts[2]!];
  // The benchmark checks the date first, then the departure city, then the destination.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return { observation: `'${date}' is not in the format YYYY-MM-DD` };
  const cityError = (await invalidCity(database, origin)) ?? (await invalidCity(database, destination));
  if (cityError !== undefined) return { observation: cityError };
  const flights = await database.flights(origin, destination, date);
  if (flights.rows.length === 0) {
    const message = `There is no flight from ${origin} to ${destination} on ${date}.`;
    return { observation: message, notebookContent: message };
  }
  const table = render(flights);
  return { observation: table, notebookContent: table };
}

/** `AccommodationSearch[City]`. */
export async function accommodationSearch(database: TravelPlannerDatabase, city: string): Promise<ToolAnswer> {
  const cityError = await invalidCity(database, city);
  if (cityError !== undefined) return { observation: cityError };
  const found = await database.accommodationsIn(city);
  // The benchmark's accommodation tool says "attraction" here; the agent saw exactly this text.
  if (found.rows.length === 0) return emptyResult('There is no attraction in this city.');
  const table = render(found);
  return { observation: table.trim(), notebookContent: table };
}

/** `RestaurantSearch[City]`: the table keeps its row labels (each restaurant's row in the published file). */
export async function restaurantSearch(database: TravelPlannerDatabase, city: string): Promise<ToolAnswer> {
  const cityError = await invalidCity(database, city);
  if (cityError !== undefined) return { observation: cityError };
  const found = await database.restaurantsIn(city);
  if (found.rows.length === 0) return emptyResult('There is no restaurant in this city.');
  const table = render(found);
  return { observation: table.trim(), notebookContent: table };
}

/** `AttractionSearch[City]`. */
export async function attractionSearch(database: TravelPlannerDatabase, city: string): Promise<ToolAnswer> {
  const cityError = await invalidCity(database, city);
  if (cityError !== undefined) return { observation: cityError };
  const found = await database.attractionsIn(city);
  if (found.rows.length === 0) return emptyResult('There is no attraction in this city.');
  const table = render(found);
  return { observation: table.trim(), notebookContent: table };
}

/** `CitySearch[State]`: the state's cities as a Python list, or `Invalid State`. */
export async function citySearch(database: TravelPlannerDatabase, state: string): Promise<ToolAnswer> {
  const cities = await database.citiesOf(state);
  return { observation: cities === undefined ? 'Invalid State' : pythonText(cities) };
}

/**
 * `GoogleDistanceMatrix[Origin, Destination, Mode]`: duration, distance and cost from the published matrix. A mode
 * containing `driving` costs 5 cents per km, `taxi` 1 dollar per km (whole dollars, rounded down), any other mode
 * has no cost (`None`). A trip of a day or more has no valid information.
 */
export async function distanceMatrix(database: TravelPlannerDatabase, argument: string): Promise<ToolAnswer> {
  const parts = argument.split(', ');
  if (parts.length < 3) return { observation: illegalDistance };
  const origin = beforeParenthesis(parts[0]!);
  const destination = beforeParenthesis(parts[1]!);
  const mode = parts[2]!;
  const answer = (text: string): ToolAnswer => ({ observation: text, notebookContent: text });
  const entry = await database.distance(origin, destination);
  if (entry === undefined) return answer(`${mode}, from ${origin} to ${destination}, no valid information.`);
  if (entry.duration === undefined || entry.distance === undefined) return answer('No valid information.');
  // Only a mode that has a cost reads the distance as a number (a distance that is not one fails the call).
  const kilometres = (): number | undefined => {
    const value = Number(entry.distance!.replace(/km/g, '').replace(/,/g, '').trim());
    return Number.isFinite(value) ? value : undefined;
  };
  let cost = 'None';
  if (mode.includes('driving') || mode === 'taxi') {
    const distance = kilometres();
    if (distance === undefined) return { observation: illegalDistance };
    cost = String(Math.trunc(mode.includes('driving') ? distance * 0.05 : distance));
  }
  if (entry.duration.includes('day')) return answer('No valid information.');
  return answer(`${mode}, from ${origin} to ${destination}, duration: ${entry.duration}, distance: ${entry.distance}, cost: ${cost}`);
}

const illegalDistance = 'Illegal GoogleDistanceMatrix. Please try again.';

/**
 * True for the observation of a search the tool rejected (a date not in `YYYY-MM-DD`, a city outside the city set, too
 * few arguments): such a search leaves the agent's current data as it was (`notebookContent` undefined).
 */
export function isRejectedSearch(observation: string): boolean {
  return (
    /^'.*' is not in the format YYYY-MM-DD$/s.test(observation) ||
    /^.* is not valid city in \[.*\]\.$/s.test(observation) ||
    observation === 'Illegal Flight Search. Please try again.' ||
    observation === illegalDistance
  );
}

/** The benchmark's rejection of a city outside its city set: the message lists the whole set, as a Python list. */
async function invalidCity(database: TravelPlannerDatabase, city: string): Promise<string | undefined> {
  const cities = await database.searchableCities();
  return cities.includes(city) ? undefined : `${city} is not valid city in ${pythonText(cities)}.`;
}

function emptyResult(message: string): ToolAnswer {
  return { observation: message, notebookContent: message };
}

function render(slice: TableSlice): string {
  return slice.rowLabels === undefined ? tableText(slice.columns, slice.rows) : tableText(slice.columns, slice.rows, { rowLabels: slice.rowLabels });
}

/** The text before a first parenthesised part (`Tucson (AZ)` → `Tucson `), as the benchmark strips place names. */
function beforeParenthesis(text: string): string {
  const match = /^(.*?)\([^)]*\)/.exec(text);
  return match === null ? text : match[1]!;
}
