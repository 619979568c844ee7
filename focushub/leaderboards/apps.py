from django.apps import AppConfig


class LeaderboardsConfig(AppConfig):
    name = "focushub.leaderboards"
    label = "leaderboards"

    def ready(self) -> None:
        # What may change a kept board page gives the pages a new epoch, in every
        # process that commits it (focushub/leaderboards/pages.py).
        from django.conf import settings
        from django.db.models.signals import post_save

        from focushub import announce
        from focushub.leaderboards import pages

        announce.listen(pages.on_announcement)
        post_save.connect(pages.on_user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="leaderboard-pages")
