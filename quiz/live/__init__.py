"""The live class game: a host screen with a PIN, players on their phones, results after each question.

``models`` holds the game's tables, ``game`` the life of a game as plain functions,
``consumers`` the WebSocket side (Django Channels), ``views`` the pages and forms.
"""
