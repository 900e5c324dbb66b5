"""Raw mail -> Message (GBK-safe parsing) -> Submission | Ignored | Held (rules) -> Assessment.

Pure: no store, no network. The app's pipeline hands the bytes in and records what comes out."""
