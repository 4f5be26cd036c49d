from django.urls import path

from weconomics.web import booking_views as views

urlpatterns = [
    path("products/<int:product_id>/book/", views.product_book, name="product_book"),
    path("products/<int:product_id>/slots/", views.product_slots, name="product_slots"),
    path("bookings/", views.my_bookings, name="bookings"),
    path("bookings/calendar.ics", views.bookings_ics, name="bookings_ics"),
    path("bookings/waiting/<int:entry_id>/leave/", views.leave_waiting_list,
         name="waiting_list_leave"),
    path("bookings/<int:booking_id>/", views.booking, name="booking"),
    path("bookings/<int:booking_id>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<int:booking_id>/proposal/", views.booking_proposal,
         name="booking_proposal"),
    path("bookings/<int:booking_id>/review/", views.booking_review, name="booking_review"),
    path("bookings/<int:booking_id>/booking.ics", views.booking_ics, name="booking_ics"),
    path("bookings/<int:booking_id>/invoice/", views.booking_invoice, name="booking_invoice"),
    path("bookings/<int:booking_id>/invoice.pdf", views.booking_invoice_pdf,
         name="booking_invoice_pdf"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("settings/calendar/", views.settings_calendar, name="settings_calendar"),
    path("settings/portfolio/", views.settings_portfolio, name="settings_portfolio"),
    path("settings/portfolio/<int:entry_id>/", views.settings_portfolio_entry,
         name="settings_portfolio_entry"),
]
