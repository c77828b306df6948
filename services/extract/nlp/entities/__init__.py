"""Entities: mentions from the NER spans, grouped one per real-world entity, linked to stable ids."""
