"""Writing files: names (`names`: stems, what makes two renders the same one, the files that
are a stem's own) and staging, locks and the all-or-nothing commit (`commit`).

Imports only `attention_math` and the application's bottom room (options, notebook,
signals, progress): nothing here knows the cache key, the media or the command line.
"""
