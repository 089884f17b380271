from django.urls import path

from anjian.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.InspectionList.as_view(), name="list"),
    path("new/", views.inspection_start, name="start"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/report.<str:fmt>", views.report_download, name="report"),
    path("tasks/", views.my_tasks, name="tasks"),
    path("checklists/", views.ChecklistList.as_view(), name="checklists"),
    path("checklists/new/", views.checklist_create, name="checklist_create"),
    path("checklists/<int:pk>/", views.checklist_detail, name="template"),
    path("checklists/<int:pk>/edit/", views.checklist_edit, name="template_edit"),
    path("campaigns/", views.CampaignList.as_view(), name="campaigns"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("plans/", views.PlanList.as_view(), name="plans"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("points/<int:enterprise_pk>/", views.points, name="points"),
    path("points/<int:enterprise_pk>/new/", views.point_create, name="point_create"),
    path("statistics/", views.statistics_page, name="statistics"),
]
