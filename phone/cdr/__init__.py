"""Phone-system call detail records (CDR): reading the files and importing them into calls.

    decode    the file's bytes as text lines (UTF-8, GBK, UTF-16)
    parse     lines → CdrRow legs or CdrError (Asterisk Master.csv, FreePBX/Issabel exports)
    legs      one leg from the text of its fields: CdrRow, CdrError, times, seconds, caller ID
    merge     legs → one CallRecord per call (merge_legs, classify, LegMerger)
    importer  CallRecords → Call rows (page, command, API), call-back promises kept and made
    views, urls, api   the upload page and the API batch endpoint

Two file kinds are read:

- Asterisk's Master.csv (cdr_csv): no header row, every text field quoted; accountcode, src, dst,
  dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end, duration, billsec,
  disposition, amaflags, then uniqueid (``loguniqueid``) and userfield (``loguserfield``), then
  peeraccount, linkedid and sequence (``newcdrcolumns``): 16 to 21 columns. Times are the phone
  system's local time ("YYYY-MM-DD HH:MM:SS"); answer is empty when nobody answered.
- CSV exports of the ``cdr`` table of FreePBX or Issabel, with a header row (calldate, clid, src, dst,
  dcontext, channel, dstchannel, lastapp, lastdata, duration, billsec, disposition, amaflags,
  accountcode, uniqueid, userfield, linkedid, and more columns that are ignored). There is no answer
  column: answer = calldate + (duration - billsec) for an answered leg.

Every line becomes a CdrRow (one leg of a call) or a CdrError (line and reason): bad data never
raises. merge_legs() folds the legs of one call (same linkedid) into one CallRecord, and classify()
tells inbound from outbound calls by which side is an extension. Everything streams: a million
lines are read and merged in constant memory at about 9 µs a line (bench/cdr_parse_bench.py).
CdrReader and LegMerger do the same in parts that go on from one another (the upload page's steps),
each part read once.
"""
