from django.urls import path

from weconomics.web import organisation_views as views

urlpatterns = [
    path("organisations/", views.directory, name="organisations"),
    path("organisations/new/", views.create, name="organisation_new"),
    path("organisations/invitations/<str:token>/", views.invitation,
         name="organisation_invitation"),
    path("organisations/<slug:slug>/", views.organisation, name="organisation"),
    path("organisations/<slug:slug>/edit/", views.edit, name="organisation_edit"),
    path("organisations/<slug:slug>/follow/", views.follow, name="organisation_follow"),
    path("organisations/<slug:slug>/report/", views.report, name="organisation_report"),
    path("organisations/<slug:slug>/leave/", views.leave, name="organisation_leave"),
    path("organisations/<slug:slug>/news/", views.post_news, name="organisation_news"),
    path("organisations/<slug:slug>/news/<int:post_id>/delete/", views.delete_news,
         name="organisation_news_delete"),
    path("organisations/<slug:slug>/roles/", views.add_role, name="organisation_role_add"),
    path("organisations/<slug:slug>/roles/<slug:role>/remove/", views.remove_role,
         name="organisation_role_remove"),
    path("organisations/<slug:slug>/members/", views.members, name="organisation_members"),
    path("organisations/<slug:slug>/members/invite/", views.invite, name="organisation_invite"),
    path("organisations/<slug:slug>/members/<int:account_id>/role/", views.change_role,
         name="organisation_member_role"),
    path("organisations/<slug:slug>/members/<int:account_id>/remove/", views.remove_member,
         name="organisation_member_remove"),
    path("organisations/<slug:slug>/invitations/<int:invitation_id>/revoke/",
         views.revoke_invitation, name="organisation_invitation_revoke"),
    path("supervision/roles/", views.supervisors, name="supervisors"),
    path("supervision/roles/<slug:handle>/revoke/", views.revoke_supervisor,
         name="supervisor_revoke"),
]
