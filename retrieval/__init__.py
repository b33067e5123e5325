"""Question -> ranked, filtered, attributed passages: parsing, fusion of the index's results, boosts,
abstention, filters and the per-article cap. Imports `index` and `corpus`'s pure modules, never `bot`."""
