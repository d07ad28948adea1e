/**
 * Each search tool against rows of the published database checked by hand (values read from the benchmark's CSV
 * files), through the shipped compact database.
 */
import { describe, expect, it } from 'vitest';
import { createTravelPlannerEnvironment } from './index.js';

const environment = createTravelPlannerEnvironment();
const signal = new AbortController().signal;
const run = (action: string): Promise<string> => environment.execute(action, { signal, state: new Map(), prefix: [] });
const lines = (text: string): string[] => text.split('\n');

describe('FlightSearch', () => {
  it('lists the flight of the reference information as a table', async () => {
    const observation = await run('FlightSearch[St. Petersburg, Rockford, 2022-03-16]');
    expect(lines(observation)).toEqual([
      'Flight Number Price DepTime ArrTime  ActualElapsedTime FlightDate OriginCityName DestCityName Distance',
      '     F3573659   474   15:40   17:04 2 hours 24 minutes 2022-03-16 St. Petersburg     Rockford   1049.0',
    ]);
  });

  it('answers that there is no flight for a route or date the offline database does not hold', async () => {
    expect(await run('FlightSearch[St. Petersburg, Rockford, 2022-03-17]')).toBe('There is no flight from St. Petersburg to Rockford on 2022-03-17.');
    expect(await run('FlightSearch[Denver, Appleton, 2022-03-04]')).toBe('There is no flight from Denver to Appleton on 2022-03-04.');
  });

  it('rejects a bad date, then a bad city, like the benchmark', async () => {
    expect(await run('FlightSearch[Denver, Appleton, March 4th]')).toBe("'March 4th' is not in the format YYYY-MM-DD");
    const badCity = await run('FlightSearch[Denverr, Appleton, 2022-03-04]');
    expect(badCity.startsWith("Denverr is not valid city in ['San Diego', 'Pellston', 'Buffalo', ")).toBe(true);
    // The list is Python's repr: a name with an apostrophe is double-quoted.
    expect(badCity).toContain(`"Martha's Vineyard"`);
    expect(badCity.endsWith("'Escanaba', 'Eau Claire'].")).toBe(true);
    expect(await run('FlightSearch[Denver, Appleton]')).toBe('Illegal Flight Search. Please try again.');
    expect(await run('FlightSearch[Denver,Appleton,2022-03-04]')).toBe('Illegal Flight Search. Please try again.');
  });
});

describe('AccommodationSearch', () => {
  it('shows the rows pandas keeps after dropna, in file order, with the tool columns', async () => {
    const table = lines(await run('AccommodationSearch[Rockford]'));
    // 14 published rows in Rockford, one with an empty field; header + 13 rows.
    expect(table).toHaveLength(14);
    expect(table[0]).toBe(
      'NAME  price       room type                                  house_rules minimum nights maximum occupancy review rate number     city',
    );
    expect(table[1]!.trim().split(/ {2,}/)).toEqual(['Spacious 3BDR Prime Location! 1030.0 Entire home/apt', 'No smoking', '2.0', '9', '2.0 Rockford']);
    expect(table[13]).toContain('Midtown 2 Bed United Nations Loc, Full Kitchen  245.0 Entire home/apt');
    expect(table[13]!.endsWith('No visitors            3.0                 3                4.0 Rockford')).toBe(true);
  });

  it('rejects a city outside the searchable set', async () => {
    // Jackson is in the state table but not among the searchable cities.
    expect(await run('AccommodationSearch[Jackson]')).toMatch(/^Jackson is not valid city in \['San Diego', /);
  });
});

describe('RestaurantSearch', () => {
  it("labels each row with its row in the published file, as the benchmark's table does", async () => {
    const table = lines(await run('RestaurantSearch[Rockford]'));
    expect(table).toHaveLength(28);
    expect(table[0]).toBe('Name Average Cost                                           Cuisines Aggregate Rating     City');
    expect(table[1]).toMatch(/^39 +Coco Bambu +72 +Tea, French, Bakery, BBQ, Cafe +4\.9 Rockford$/);
    expect(table[27]).toMatch(/^9340 +Chaophraya +74 +Chinese, Pizza, Cafe, Desserts +3\.9 Rockford$/);
  });
});

describe('AttractionSearch', () => {
  it('prints coordinates with six decimals', async () => {
    const table = lines(await run('AttractionSearch[Rockford]'));
    expect(table).toHaveLength(21);
    expect(table[1]).toMatch(/^ *Burpee Museum of Natural History 42\.277324 -89\.088142 +737 N Main St, Rockford, IL 61103, USA \(815\) 965-3433 +http:\/\/www\.burpee\.org\/ Rockford$/);
    expect(table[20]).toMatch(/Ingersoll Centennial Park 42\.266298 -89\.091439 +315 S 1st St, Rockford, IL 61104, USA/);
  });

  it('says so for a searchable city with no attraction', async () => {
    expect(await run('AttractionSearch[Sarasota]')).toBe('There is no attraction in this city.');
  });
});

describe('GoogleDistanceMatrix', () => {
  it('gives duration, distance and the cost of the mode', async () => {
    expect(await run('GoogleDistanceMatrix[Detroit, Norfolk, self-driving]')).toBe(
      'self-driving, from Detroit to Norfolk, duration: 10 hours 55 mins, distance: 1,144 km, cost: 57',
    );
    expect(await run('GoogleDistanceMatrix[Detroit, Norfolk, taxi]')).toBe('taxi, from Detroit to Norfolk, duration: 10 hours 55 mins, distance: 1,144 km, cost: 1144');
    expect(await run('GoogleDistanceMatrix[Killeen, Waco, taxi]')).toBe('taxi, from Killeen to Waco, duration: 1 hour 1 min, distance: 98.6 km, cost: 98');
    expect(await run('GoogleDistanceMatrix[Killeen, Waco, walking]')).toBe('walking, from Killeen to Waco, duration: 1 hour 1 min, distance: 98.6 km, cost: None');
  });

  it('has no valid information for a trip of a day or more, a pair without figures, or an unknown pair', async () => {
    expect(await run('GoogleDistanceMatrix[Hartford, Denver, self-driving]')).toBe('No valid information.');
    expect(await run('GoogleDistanceMatrix[Killeen, Mission, taxi]')).toBe('No valid information.');
    expect(await run('GoogleDistanceMatrix[Tucson, Tucson Botanical Gardens, taxi]')).toBe('taxi, from Tucson to Tucson Botanical Gardens, no valid information.');
    // The benchmark drops a parenthesised part of a place name (and keeps the space before it).
    expect(await run('GoogleDistanceMatrix[Detroit (MI), Norfolk, taxi]')).toBe('taxi, from Detroit  to Norfolk, no valid information.');
    expect(await run('GoogleDistanceMatrix[Detroit, Norfolk]')).toBe('Illegal GoogleDistanceMatrix. Please try again.');
  });
});

describe('CitySearch', () => {
  it("lists a state's cities as a Python list, or says the state is invalid", async () => {
    expect(await run('CitySearch[Massachusetts]')).toBe(`["Martha's Vineyard", 'Hyannis', 'Boston', 'Nantucket']`);
    const texas = await run('CitySearch[Texas]');
    expect(texas.startsWith("['Abilene', 'Amarillo', 'Harlingen'")).toBe(true);
    expect(texas.endsWith("'Killeen', 'Laredo', 'Texarkana']")).toBe(true);
    expect(await run('CitySearch[Texass]')).toBe('Invalid State');
  });
});
