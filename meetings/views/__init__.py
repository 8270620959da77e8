"""The meeting pages, by sub-domain: meetings.py (the meeting page, its stages and agenda), attendance.py,
deliberation.py, surveys.py (and a deputy's scoring page), report_jobs.py, papers.py (the printed sheets).
meetings/urls.py imports each module; the hall's screen and console are meetings/hall_views.py."""
