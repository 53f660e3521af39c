from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "contactcenter.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns and the dialer"
