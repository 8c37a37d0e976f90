UPDATE issues SET status = 'resolved'
WHERE status = 'closed' AND body LIKE '%[resolved]%';
