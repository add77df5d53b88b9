"""The file cache of one machine: its folder is made once per process, not once per request (Django makes a
backend object per request in the web process), and it still works when the folder goes away."""

import shutil

from django.core.cache.backends import filebased

from frenchbot.core import cache_backends
from frenchbot.core.cache_backends import FileCache


def test_the_folder_is_made_once_per_process_and_made_again_by_a_write_when_it_went_away(
    tmp_path, monkeypatch
):
    folder = tmp_path / "cache"
    made = []
    makedirs = filebased.safe_makedirs

    def noted(path, *args, **kwargs):
        made.append(str(path))
        return makedirs(path, *args, **kwargs)

    monkeypatch.setattr(filebased, "safe_makedirs", noted)
    monkeypatch.setattr(cache_backends, "_folders_made", set())

    first = FileCache(str(folder), {})
    assert len(made) == 1
    first.set("version", 7)
    before = len(made)

    # The next request's backend object reads what the first wrote, without making the folder again.
    second = FileCache(str(folder), {})
    assert second.get("version") == 7
    assert len(made) == before

    # Someone empties var/: reads miss, the next write makes the folder again.
    shutil.rmtree(folder)
    third = FileCache(str(folder), {})
    assert third.get("version") is None
    third.set("version", 8)
    assert FileCache(str(folder), {}).get("version") == 8
    assert folder.is_dir()
