"""A campaign from its notice: read the notice, draft config.toml, make each unit's form."""
