FROM a
  RUNN echo hi
COPPY a b
XYZZY
