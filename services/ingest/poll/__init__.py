"""`newswire poll`: the intake worker that polls RSS/Atom and IPTC ninjs feeds and publishes their items
through the same intake as `POST /v1/articles`.

Data flows: sources.py (the YAML list) -> fetch.py (conditional GET, caps) -> feeds.py / ninjs.py (items)
-> items.py (item -> article fields) -> intake (services/ingest/intake.py) -> the Kafka publisher; state.py
keeps each source's memory in Postgres; schedule.py says when to poll next; poller.py ties one poll
together and worker.py runs every source.
"""
