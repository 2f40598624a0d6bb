"""publish verify: every available checker run on a built output folder."""
