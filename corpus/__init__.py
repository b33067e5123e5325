"""Articles and passages: fetching, extraction, attribution, splitting, storage."""
