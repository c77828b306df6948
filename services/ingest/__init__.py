"""ingest: accepts articles over HTTP (and from files), normalises them and publishes RawArticle to Kafka.

The chain is `parse -> validate/normalise (articles.py, pure) -> publish (publisher.py)`, assembled in api.py.
"""
