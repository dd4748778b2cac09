"""Helpers shared by the test folders; fixtures stay in the ``conftest.py`` files.

``services`` the machine's PostgreSQL and Mosquitto; ``waiting`` polling for a condition;
``live_server`` an app on uvicorn; ``attendance`` the attendance app; ``queue`` the ticket
queue; ``pages`` the browser tests; ``office`` the office pages as a browser asks for them;
``terminals`` supervised terminals; ``zk`` ZK clients; ``memos`` the engine's caches.
"""
