import { describe, expect, it } from 'vitest';
import { travelPlannerToolEffect } from '../../traces/importers/dsp-travelplanner.js';
import {
  createTravelPlannerEnvironment,
  invalidActionObservation,
  isTravelPlannerTerminal,
  notebookEntries,
  notebookText,
  nullActionObservation,
  parseTravelPlannerAction,
  travelPlannerActionsMatch,
  travelPlannerEffectOf,
  travelPlannerToolNames,
  type PlannerModel,
} from './index.js';

const environment = createTravelPlannerEnvironment();
const live = (): AbortSignal => new AbortController().signal;

describe('the action syntax', () => {
  it('reads Tool[argument] as the benchmark does: the argument runs to the last bracket', () => {
    expect(parseTravelPlannerAction('FlightSearch[Denver, Appleton, 2022-03-04]')).toEqual({
      tool: 'FlightSearch',
      argument: 'Denver, Appleton, 2022-03-04',
    });
    expect(parseTravelPlannerAction('Planner[Give me a plan [3 days]]')).toEqual({ tool: 'Planner', argument: 'Give me a plan [3 days]' });
    for (const malformed of ['FlightSearch Denver', 'FlightSearch[]', 'Flight Search[Denver]', ' CitySearch[Texas]', 'CitySearch[Texas] ', 'CitySearch[Tex\nas]']) {
      expect(parseTravelPlannerAction(malformed), malformed).toBeUndefined();
    }
    expect(parseTravelPlannerAction({ tool: 'CitySearch' })).toBeUndefined();
  });

  it('gives each tool its effect class and ends the task with the Planner only', () => {
    expect(travelPlannerEffectOf('RestaurantSearch[Rockford]')).toBe('pure');
    expect(travelPlannerEffectOf('GoogleDistanceMatrix[A, B, taxi]')).toBe('pure');
    expect(travelPlannerEffectOf('NotebookWrite[Flights]')).toBe('sandboxed');
    expect(travelPlannerEffectOf('Planner[Give me a plan]')).toBe('irreversible');
    // Not a tool call: only an error observation, nothing touched.
    expect(travelPlannerEffectOf('BookFlight[F123]')).toBe('pure');
    expect(isTravelPlannerTerminal('Planner[Give me a plan]')).toBe(true);
    expect(isTravelPlannerTerminal('NotebookWrite[Planner]')).toBe(false);
    expect(isTravelPlannerTerminal('Planner')).toBe(false);
  });

  it('agrees with the effect classes the TravelPlanner importer writes into traces', () => {
    for (const action of [...travelPlannerToolNames.map((tool) => `${tool}[x]`), 'BookFlight[x]', 'NotebookWrite', 'x']) {
      expect(travelPlannerToolEffect(action), action).toBe(travelPlannerEffectOf(action));
    }
  });

  it('matches A and T by exact string, as the authors labelled their runs', () => {
    expect(travelPlannerActionsMatch('AttractionSearch[Tucson]', 'AttractionSearch[Tucson]')).toBe(true);
    expect(travelPlannerActionsMatch('GoogleDistanceMatrix[Chicago, Rockford, taxi]', 'GoogleDistanceMatrix[Chicago, Rockford, self-driving]')).toBe(false);
    expect(travelPlannerActionsMatch('NotebookWrite[Accommodations in Appleton]', 'NotebookWrite[Selected accommodations in Appleton]')).toBe(false);
  });
});

describe('malformed actions', () => {
  it("answer with the benchmark's error observations and touch nothing", async () => {
    const state = new Map<string, unknown>([['other', 1]]);
    const cases: [unknown, string][] = [
      ['BookFlight[F3573659]', invalidActionObservation],
      ['FlightSearch Denver to Appleton', invalidActionObservation],
      ['NotebookWrite[]', invalidActionObservation],
      [{ tool: 'CitySearch' }, invalidActionObservation],
      [42, invalidActionObservation],
      ['', nullActionObservation],
      ['  ', nullActionObservation],
      [null, nullActionObservation],
      ['FlightSearch[Denver]', 'Illegal Flight Search. Please try again.'],
      ['GoogleDistanceMatrix[Denver]', 'Illegal GoogleDistanceMatrix. Please try again.'],
    ];
    for (const [action, observation] of cases) {
      await expect(environment.execute(action as never, { signal: live(), state, prefix: [] })).resolves.toBe(observation);
    }
    expect([...state.entries()]).toEqual([['other', 1]]);
  });
});

describe('NotebookWrite', () => {
  it('stores the latest search result of its prefix under its description, numbered like the benchmark', async () => {
    const state = new Map<string, unknown>();
    const flight = 'FlightSearch[St. Petersburg, Rockford, 2022-03-16]';
    const flightTable = await environment.execute(flight, { signal: live(), state: new Map(), prefix: [] });
    const first = await environment.execute('NotebookWrite[Flights to Rockford]', { signal: live(), state, prefix: [flight] });
    expect(first).toBe('The information has been recorded in Notebook, and its index is 0.');
    // A rejected search and CitySearch leave the current data as it was.
    const prefix = [flight, 'NotebookWrite[Flights to Rockford]', 'AccommodationSearch[Atlantis]', 'CitySearch[Illinois]'];
    const second = await environment.execute('NotebookWrite[Again]', { signal: live(), state, prefix });
    expect(second).toBe('The information has been recorded in Notebook, and its index is 1.');
    expect(notebookEntries(state)).toEqual([
      { description: 'Flights to Rockford', content: flightTable },
      { description: 'Again', content: flightTable },
    ]);
    const distance = 'GoogleDistanceMatrix[Detroit, Norfolk, taxi]';
    await environment.execute('NotebookWrite[Drive]', { signal: live(), state, prefix: [...prefix, distance] });
    expect(notebookEntries(state)[2]).toEqual({
      description: 'Drive',
      content: 'taxi, from Detroit to Norfolk, duration: 10 hours 55 mins, distance: 1,144 km, cost: 1144',
    });
  });

  it('stores the whole table, as the notebook keeps it, not the stripped observation', async () => {
    const state = new Map<string, unknown>();
    const search = 'RestaurantSearch[Rockford]';
    const observation = await environment.execute(search, { signal: live(), state, prefix: [] });
    await environment.execute('NotebookWrite[Restaurants]', { signal: live(), state, prefix: [search] });
    const content = notebookEntries(state)[0]!.content!;
    expect(content.trim()).toBe(observation);
    expect(content.startsWith(' ')).toBe(true);
  });

  it('stores None when nothing was searched before it', async () => {
    const state = new Map<string, unknown>();
    await environment.execute('NotebookWrite[Nothing yet]', { signal: live(), state, prefix: ['CitySearch[Texas]'] });
    expect(notebookEntries(state)).toEqual([{ description: 'Nothing yet', content: null }]);
    expect(notebookText(notebookEntries(state))).toBe("[{'index': 0, 'Short Description': 'Nothing yet', 'Content': None}]");
  });

  it('writes only to the state it is given: a speculative fork never shows in the committed state', async () => {
    const committed = new Map<string, unknown>();
    const search = 'AttractionSearch[Rockford]';
    await environment.execute('NotebookWrite[Attractions]', { signal: live(), state: committed, prefix: [search] });
    // Two speculative branches fork the committed notebook copy-on-write style.
    const wrongBranch = new Map(committed);
    const rightBranch = new Map(committed);
    await environment.execute('NotebookWrite[Guess]', { signal: live(), state: wrongBranch, prefix: [search, 'NotebookWrite[Attractions]', 'CitySearch[Illinois]'] });
    await environment.execute('NotebookWrite[Chosen]', { signal: live(), state: rightBranch, prefix: [search, 'NotebookWrite[Attractions]', 'RestaurantSearch[Rockford]'] });
    expect(notebookEntries(committed).map((entry) => entry.description)).toEqual(['Attractions']);
    expect(notebookEntries(wrongBranch).map((entry) => entry.description)).toEqual(['Attractions', 'Guess']);
    expect(notebookEntries(rightBranch).map((entry) => entry.description)).toEqual(['Attractions', 'Chosen']);
    // Both branches wrote index 1, each in its own store.
    expect(wrongBranch.get('notebook/1')).not.toEqual(rightBranch.get('notebook/1'));
  });

  it('writes nothing once its execution is cancelled', async () => {
    const state = new Map<string, unknown>();
    const controller = new AbortController();
    const reason = new Error('round ended');
    controller.abort(reason);
    await expect(environment.execute('NotebookWrite[Late]', { signal: controller.signal, state, prefix: ['CitySearch[Texas]'] })).rejects.toBe(reason);
    await expect(environment.execute('AttractionSearch[Rockford]', { signal: controller.signal, state, prefix: [] })).rejects.toBe(reason);
    expect(state.size).toBe(0);
  });
});

describe('Planner', () => {
  it('hands the notebook to the planner model and returns its plan', async () => {
    const seen: { query: string; notebook: string }[] = [];
    const planner: PlannerModel = ({ query, notebook }) => {
      seen.push({ query, notebook });
      return Promise.resolve('Day 1: ...');
    };
    const withPlanner = createTravelPlannerEnvironment({ database: environment.database, planner });
    const state = new Map<string, unknown>();
    await withPlanner.execute('NotebookWrite[Drive]', { signal: live(), state, prefix: ['GoogleDistanceMatrix[Detroit, Norfolk, self-driving]'] });
    const plan = await withPlanner.execute('Planner[Give me a 3-day trip plan from Detroit to Norfolk]', { signal: live(), state, prefix: [] });
    expect(plan).toBe('Day 1: ...');
    expect(seen).toEqual([
      {
        query: 'Give me a 3-day trip plan from Detroit to Norfolk',
        notebook:
          "[{'index': 0, 'Short Description': 'Drive', 'Content': 'self-driving, from Detroit to Norfolk, duration: 10 hours 55 mins, distance: 1,144 km, cost: 57'}]",
      },
    ]);
  });

  it('without a planner model, answers with the notebook the planner would read', async () => {
    const state = new Map<string, unknown>();
    await environment.execute('NotebookWrite[Flights]', { signal: live(), state, prefix: ['FlightSearch[Denver, Appleton, 2022-03-04]'] });
    expect(await environment.execute('Planner[Plan it]', { signal: live(), state, prefix: [] })).toBe(
      "[{'index': 0, 'Short Description': 'Flights', 'Content': 'There is no flight from Denver to Appleton on 2022-03-04.'}]",
    );
  });
});
