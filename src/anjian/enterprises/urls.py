from django.urls import path

from anjian.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseList.as_view(), name="list"),
    path("new/", views.enterprise_create, name="create"),
    path("search/", views.enterprise_search, name="search"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<int:pk>/status/", views.enterprise_status, name="status"),
    path("<int:pk>/key-change/", views.change_request_create, name="key_change"),
    path("<int:pk>/supervision/", views.supervision_set, name="supervision"),
    path("changes/", views.ChangeRequestList.as_view(), name="changes"),
    path("changes/<int:pk>/decide/", views.change_request_decide, name="change_decide"),
    path("supervision/", views.supervision_map, name="supervision_map"),
    path("imports/", views.import_list, name="imports"),
    path("imports/template/", views.import_template, name="import_template"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("imports/<int:pk>/errors/", views.import_errors, name="import_errors"),
]
